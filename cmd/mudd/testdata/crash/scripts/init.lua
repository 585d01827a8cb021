-- A trading game for the crash-conservation test (cmd/mudd/crash_test.go). Every character
-- starts with a kit: 100 gold, a satchel, two loaves and three tokens whose data holds a
-- serial number unique in the world ("<name>:<n>"). Gold and items then only change hands:
--
--   give, put, get        the engine's commands
--   pay <who> <n>         gold from one player to another
--   buy loaf, sell loaf   with the baker, both at the loaf's value (10 gold), so that each
--                         player's gold plus the value of their loaves does not change
--   stash <thing> <who>   put something into the satchel another player carries
--   filch <thing> <who>   take something out of the satchel another player carries
--   tick                  counts the commands a player typed: data.ticks
--
-- So the sum over all players of gold + 10 * loaves is constant, and each token exists once.

game { name = "Crash Mart", start = "mart:hall" }

local KIT_GOLD, KIT_LOAVES, KIT_TOKENS = 100, 2, 3

mud.on("login", function(p)
  if p.data.kit then return end
  p.data.kit = true
  p.data.gold = KIT_GOLD
  p.data.ticks = 0
  p:give("mart:satchel")
  for _ = 1, KIT_LOAVES do p:give("mart:loaf") end
  for i = 1, KIT_TOKENS do
    local t = p:give("mart:token")
    t.data.serial = p.name .. ":" .. i
  end
end)

-- The player called word in actor's room, or nil after telling actor.
local function other(actor, word)
  local who = word and actor.room and actor.room:find(word)
  if who == nil or not who:is_player() or who.id == actor.id then
    actor:send("Nobody called '" .. tostring(word) .. "' is here.")
    return nil
  end
  return who
end

-- The satchel who carries.
local function satchel(who)
  return who:has("mart:satchel")
end

command {
  name = "tick",
  help = "tick\nCount one more command.",
  run = function(actor)
    actor.data.ticks = (actor.data.ticks or 0) + 1
    actor:send("Tick " .. actor.data.ticks .. ".")
  end,
}

command {
  name = "pay",
  help = "pay <who> <amount>\nGive some of your gold to another player here.",
  run = function(actor, args)
    local word, n = (args or ""):match("^%s*(%a+)%s+(%d+)%s*$")
    n = tonumber(n)
    if word == nil or n == nil or n < 1 then actor:send("Pay whom how much?") return end
    local who = other(actor, word)
    if who == nil then return end
    if (actor.data.gold or 0) < n then actor:send("You have only " .. (actor.data.gold or 0) .. " gold.") return end
    actor.data.gold = actor.data.gold - n
    who.data.gold = (who.data.gold or 0) + n
    actor:send("You pay " .. n .. " gold to " .. who.name .. ".")
    who:send(actor.name .. " pays you " .. n .. " gold.")
  end,
}

local function baker(actor)
  local b = actor.room and actor.room:find("baker")
  if b == nil then actor:send("The baker is not here.") end
  return b
end

command {
  name = "buy",
  help = "buy loaf\nBuy a loaf from the baker.",
  run = function(actor, args)
    if baker(actor) == nil then return end
    local price = mud.proto("mart:loaf").value
    if (actor.data.gold or 0) < price then actor:send("A loaf costs " .. price .. " gold.") return end
    if #actor:contents() >= mud.carry_limit then actor:send("Your hands are full.") return end
    actor.data.gold = actor.data.gold - price
    actor:give("mart:loaf")
    actor:send("You buy a loaf for " .. price .. " gold.")
  end,
}

command {
  name = "sell",
  help = "sell loaf\nSell a loaf back to the baker.",
  run = function(actor, args)
    if baker(actor) == nil then return end
    local loaf = actor:has("mart:loaf")
    if loaf == nil then actor:send("You have no loaf.") return end
    loaf:destroy()
    actor.data.gold = (actor.data.gold or 0) + mud.proto("mart:loaf").value
    actor:send("You sell a loaf.")
  end,
}

command {
  name = "stash",
  help = "stash <thing> <who>\nPut something you carry into another player's satchel.",
  run = function(actor, args)
    local what, word = (args or ""):match("^%s*(%a+)%s+(%a+)%s*$")
    local who = other(actor, word)
    if who == nil then return end
    local thing, bag = actor:find(what or ""), satchel(who)
    if thing == nil or thing.key == "mart:satchel" then actor:send("You have no " .. tostring(what) .. " to stash.") return end
    if bag == nil or #bag:contents() >= bag.def.capacity then actor:send(who.name .. "'s satchel is full.") return end
    thing:move_into(bag)
    actor:send("You stash " .. thing.name .. " in " .. who.name .. "'s satchel.")
  end,
}

command {
  name = "filch",
  help = "filch <thing> <who>\nTake something out of another player's satchel.",
  run = function(actor, args)
    local what, word = (args or ""):match("^%s*(%a+)%s+(%a+)%s*$")
    local who = other(actor, word)
    if who == nil then return end
    local bag = satchel(who)
    local thing = bag and bag:find(what or "")
    if thing == nil then actor:send(who.name .. "'s satchel holds no " .. tostring(what) .. ".") return end
    if #actor:contents() >= mud.carry_limit then actor:send("Your hands are full.") return end
    thing:move_into(actor)
    actor:send("You filch " .. thing.name .. " from " .. who.name .. "'s satchel.")
  end,
}
