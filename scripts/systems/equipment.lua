-- Equipment: wear, wield, remove, equipment.
--
-- An item can be worn if its prototype has a `slot` field; "wield" is the weapon hand, any
-- other name is a place on the body. One item per slot. t:wear(slot), t:unwear() and
-- t:worn() do the bookkeeping; the engine keeps worn things out of drop, give and put.

local U = require("systems.util")

local E = {}

-- Slots in the order `equipment` lists them, with how each is shown.
-- Slots in the order `equipment` lists them: the slot, its label there, and where you wear it.
E.slots = {
  { "wield", "wielded", "in your hand" },
  { "head", "on head", "on your head" },
  { "neck", "around neck", "around your neck" },
  { "body", "on body", "on your body" },
  { "hands", "on hands", "on your hands" },
  { "feet", "on feet", "on your feet" },
  { "shield", "as shield", "as a shield" },
}

local function label(slot, n)
  for _, s in ipairs(E.slots) do
    if s[1] == slot then return s[n or 2] end
  end
  return "on " .. slot
end

local function unworn(x) return x.slot == nil end
local function worn(x) return x.slot ~= nil end

-- Puts item on `who` in its slot, telling them and the room. Returns true on success.
function E.equip(who, item)
  local slot = item.def and item.def.slot
  if slot == nil then
    who:send("You can't wear " .. item.name .. ".")
    return false
  end
  local current = (who:worn() or {})[slot]
  if current ~= nil then
    who:send("You already have " .. current.name .. " " .. label(slot, 3) .. ". Remove it first.")
    return false
  end
  if not item:wear(slot) then
    who:send("You can't wear " .. item.name .. " just now.")
    return false
  end
  local room = who.room
  if slot == "wield" then
    who:send("You wield " .. item.name .. ".")
    if room then room:send(U.Cap(who) .. " wields " .. item.name .. ".", who) end
  else
    who:send("You wear " .. item.name .. " " .. label(slot, 3) .. ".")
    if room then room:send(U.Cap(who) .. " wears " .. item.name .. ".", who) end
  end
  return true
end

command {
  name = "wear",
  help = "wear <thing> | wear all\nPut on armour or clothing you carry.",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Wear what?") return end
    if w == "all" then
      local any = false
      for _, x in ipairs(actor:contents()) do
        if x.slot == nil and x.def and x.def.slot and x.def.slot ~= "wield"
            and (actor:worn() or {})[x.def.slot] == nil then
          any = E.equip(actor, x) or any
        end
      end
      if not any then actor:send("You have nothing more to put on.") end
      return
    end
    local item = U.carried(actor, w, unworn)
    if item == nil then actor:send("You aren't carrying '" .. w .. "'.") return end
    if item.def and item.def.slot == "wield" then
      actor:send("You wield a weapon: try 'wield " .. w .. "'.")
      return
    end
    E.equip(actor, item)
  end,
}

command {
  name = "wield",
  help = "wield <weapon>\nTake a weapon you carry in hand.",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Wield what?") return end
    local item = U.carried(actor, w, unworn)
    if item == nil then actor:send("You aren't carrying '" .. w .. "'.") return end
    if not (item.def and item.def.slot == "wield") then
      actor:send(mud.cap(item.name) .. " is no weapon.")
      return
    end
    E.equip(actor, item)
  end,
}

command {
  name = "remove",
  aliases = { "unwield" },
  help = "remove <thing> | remove all\nTake off something you wear, or put away your weapon.",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Remove what?") return end
    local list = {}
    if w == "all" then
      for _, x in ipairs(actor:contents()) do
        if x.slot ~= nil then list[#list + 1] = x end
      end
    else
      list[1] = U.carried(actor, w, worn)
    end
    if #list == 0 then actor:send("You aren't wearing '" .. w .. "'.") return end
    for _, item in ipairs(list) do
      item:unwear()
      actor:send("You remove " .. item.name .. ".")
      if actor.room then actor.room:send(U.Cap(actor) .. " removes " .. item.name .. ".", actor) end
    end
  end,
}

command {
  name = "equipment",
  aliases = { "eq" },
  help = "equipment\nList what you wear and wield.",
  run = function(actor)
    local worn_now = actor:worn() or {}
    local lines = {}
    for _, s in ipairs(E.slots) do
      local x = worn_now[s[1]]
      if x then lines[#lines + 1] = string.format("  %-14s %s", "<" .. s[2] .. ">", x.name) end
    end
    for slot, x in pairs(worn_now) do
      local known = false
      for _, s in ipairs(E.slots) do if s[1] == slot then known = true end end
      if not known then lines[#lines + 1] = string.format("  %-14s %s", "<" .. label(slot) .. ">", x.name) end
    end
    if #lines == 0 then
      actor:send("You wear nothing special and carry no weapon in hand.")
    else
      actor:send("You are using:\n" .. table.concat(lines, "\n"))
    end
  end,
}

return E
