-- Shops: list, buy, sell, value.
--
-- A shopkeeper is an NPC with a `shop` table in its definition:
--   shop = { sells = { "millbrook:dagger", ... }, buys = true, markup = 1.2, gold = 400 }
-- Prices come from the items' `value`. The shopkeeper buys at half value and sells at value
-- times markup. Gold only changes hands: what the player pays goes into the shopkeeper's
-- till (npc.data.gold, starting at shop.gold) and what the shopkeeper pays comes out of it.
-- Items the shopkeeper buys go into its inventory and are sold again.

local settings = require("settings")
local U = require("systems.util")
local S = require("systems.stats")

local Shop = {}

Shop.sell_share = 0.5 -- what a shopkeeper pays, as a share of value
Shop.stock_limit = 20 -- second-hand things a shopkeeper keeps before refusing more

-- The first shopkeeper in the actor's room, or nil (after telling the actor).
function Shop.keeper(actor)
  local room = actor.room
  if room then
    for _, n in ipairs(room:npcs()) do
      if n.def and n.def.shop then
        if n.data.gold == nil then n.data.gold = n.def.shop.gold or 500 end
        return n
      end
    end
  end
  actor:send("There is nobody here to trade with.")
  return nil
end

-- What a shopkeeper asks for an item prototype definition.
function Shop.price(keeper, def)
  local v = (def and def.value) or 0
  if v <= 0 then return nil end
  return math.max(1, math.ceil(v * (keeper.def.shop.markup or 1)))
end

-- What a shopkeeper offers for an item, or nil if it wants none.
function Shop.offer(keeper, item)
  if not keeper.def.shop.buys then return nil end
  local v = (item.def and item.def.value) or 0
  if v <= 0 then return nil end
  return math.max(1, math.floor(v * Shop.sell_share))
end

-- Name and definition of item prototypes, read once from a sample.
local protos = {}
local function proto(keeper, key)
  local p = protos[key]
  if p == nil then
    local x = keeper:give(key)
    p = { name = x.name, def = x.def }
    x:destroy()
    protos[key] = p
  end
  return p
end

-- The goods on sale: { name=, price=, key= } for stock that is always made fresh, and
-- { name=, price=, thing= } for second-hand things in the shopkeeper's inventory.
function Shop.goods(keeper)
  local list = {}
  for _, key in ipairs(keeper.def.shop.sells or {}) do
    local p = proto(keeper, key)
    list[#list + 1] = { key = key, name = p.name, def = p.def, price = Shop.price(keeper, p.def) }
  end
  for _, x in ipairs(keeper:contents()) do
    if x.slot == nil then
      list[#list + 1] = { thing = x, name = x.name, def = x.def, price = Shop.price(keeper, x.def) }
    end
  end
  return list
end

local function matches_good(g, word)
  if g.thing then return U.matches(g.thing, word) end
  word = word:lower()
  for _, k in ipairs((g.def and g.def.keywords) or {}) do
    if k:lower() == word then return true end
  end
  for w in g.name:lower():gmatch("%a+") do
    if w == word then return true end
  end
  return false
end

command {
  name = "list",
  help = "list\nSee what a shopkeeper here has for sale, and at what price.",
  run = function(actor)
    local keeper = Shop.keeper(actor)
    if keeper == nil then return end
    local lines = { mud.cap(keeper.name) .. " has for sale:" }
    for _, g in ipairs(Shop.goods(keeper)) do
      if g.price then lines[#lines + 1] = string.format("  %-30s %4d gold", g.name, g.price) end
    end
    if #lines == 1 then lines[1] = mud.cap(keeper.name) .. " has nothing for sale." end
    lines[#lines + 1] = "You have " .. S.gold(actor) .. " gold. The till holds " .. keeper.data.gold .. " gold."
    actor:send(table.concat(lines, "\n"))
  end,
}

command {
  name = "buy",
  help = "buy <thing>\nBuy something a shopkeeper here has for sale (see 'list').",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Buy what?") return end
    local keeper = Shop.keeper(actor)
    if keeper == nil then return end
    local good
    for _, g in ipairs(Shop.goods(keeper)) do
      if g.price and matches_good(g, w) then good = g break end
    end
    if good == nil then
      keeper:say("I've no '" .. w .. "' to sell you, " .. actor.name .. ".")
      return
    end
    if S.gold(actor) < good.price then
      actor:send(mud.cap(good.name) .. " costs " .. good.price .. " gold; you have only " .. S.gold(actor) .. ".")
      return
    end
    if U.load(actor) >= settings.carry then
      actor:send("You can't carry any more. Drop something first.")
      return
    end
    local item = good.thing
    if item then
      if not item:move_into(actor) then actor:send("That can't be sold just now.") return end
    else
      item = actor:give(good.key)
    end
    S.add_gold(actor, -good.price)
    keeper.data.gold = keeper.data.gold + good.price
    actor:send("You buy " .. item.name .. " for " .. good.price .. " gold.")
    actor.room:send(U.Cap(actor) .. " buys " .. item.name .. " from " .. keeper.name .. ".", actor)
  end,
}

-- The carried item a player means to sell, or nil after telling them why not.
local function to_sell(actor, keeper, w)
  local item = U.carried(actor, w)
  if item == nil then actor:send("You aren't carrying '" .. w .. "'.") return nil end
  if item.slot ~= nil then
    actor:send("You are using " .. item.name .. "; remove it first.")
    return nil
  end
  if #item:contents() > 0 then
    actor:send("Empty " .. item.name .. " first.")
    return nil
  end
  local offer = Shop.offer(keeper, item)
  if offer == nil then
    keeper:say("I've no use for " .. item.name .. ", " .. actor.name .. ".")
    return nil
  end
  return item, offer
end

command {
  name = "sell",
  help = "sell <thing>\nSell something you carry to a shopkeeper here.",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Sell what?") return end
    local keeper = Shop.keeper(actor)
    if keeper == nil then return end
    local item, offer = to_sell(actor, keeper, w)
    if item == nil then return end
    if keeper.data.gold < offer then
      keeper:say("I can't afford it, " .. actor.name .. ". Come back when trade's been better.")
      return
    end
    if #keeper:contents() >= Shop.stock_limit then
      keeper:say("My shelves are full, " .. actor.name .. ". Not today.")
      return
    end
    if not item:move_into(keeper) then actor:send("You can't sell that.") return end
    keeper.data.gold = keeper.data.gold - offer
    S.add_gold(actor, offer)
    actor:send("You sell " .. item.name .. " for " .. offer .. " gold.")
    actor.room:send(U.Cap(actor) .. " sells " .. item.name .. " to " .. keeper.name .. ".", actor)
  end,
}

command {
  name = "value",
  help = "value <thing>\nAsk a shopkeeper here what they would pay for something you carry.",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Value what?") return end
    local keeper = Shop.keeper(actor)
    if keeper == nil then return end
    local item, offer = to_sell(actor, keeper, w)
    if item == nil then return end
    keeper:say("I'd give you " .. offer .. " gold for " .. item.name .. ", " .. actor.name .. ".")
  end,
}

return Shop
