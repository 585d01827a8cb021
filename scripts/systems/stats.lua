-- Stats: hit points, level, experience and gold.
--
-- Players keep theirs in player.data (saved with the character): hp, max_hp, level, xp, gold.
-- NPCs read theirs from their prototype (def.hp, def.level, def.damage, def.armor, def.xp,
-- def.gold) and keep their current hit points in npc.data.hp.
--
-- Clients with GMCP or MSDP get the player's stats whenever they change: Char.Vitals
-- {hp, maxhp, string} and Char.Status {name, level, xp, tnl, gold} (numbers as numbers).

local settings = require("settings")
local sweep = require("systems.sweep")

local S = {}

-- Maximum hit points of a player of a level.
function S.max_hp_for(level)
  return 20 + (level - 1) * 8
end

-- Experience needed to go from `level` to the next.
function S.xp_to_next(level)
  return level * 100
end

-- Gives a player the stats of a new character if they have none yet.
function S.init(p)
  local d = p.data
  if d.level == nil then d.level = 1 end
  if d.xp == nil then d.xp = 0 end
  if d.gold == nil then d.gold = settings.start_gold end
  if d.max_hp == nil then d.max_hp = S.max_hp_for(d.level) end
  if d.hp == nil then d.hp = d.max_hp end
  return d
end

function S.level(t)
  if t:is_player() then return S.init(t).level end
  return (t.def and t.def.level) or 1
end

function S.max_hp(t)
  if t:is_player() then return S.init(t).max_hp end
  return (t.def and t.def.hp) or 10
end

function S.hp(t)
  if t:is_player() then return S.init(t).hp end
  if t.data.hp == nil then t.data.hp = S.max_hp(t) end
  return t.data.hp
end

-- Sends a player's Char.Vitals (GMCP, and MSDP HEALTH/HEALTH_MAX).
function S.vitals(p)
  local d = S.init(p)
  p:gmcp("Char.Vitals", { hp = d.hp, maxhp = d.max_hp, string = "H:" .. d.hp .. "/" .. d.max_hp })
end

-- Sends a player's Char.Status (GMCP, and MSDP LEVEL/EXPERIENCE/MONEY).
function S.status(p)
  local d = S.init(p)
  p:gmcp("Char.Status", { name = p.name, level = d.level, xp = d.xp, tnl = S.xp_to_next(d.level) - d.xp,
    gold = d.gold })
end

function S.set_hp(t, n)
  n = math.max(0, math.min(n, S.max_hp(t)))
  if t:is_player() then
    local d = S.init(t)
    local changed = d.hp ~= n
    d.hp = n
    if changed then S.vitals(t) end
  else
    t.data.hp = n
  end
  return n
end

-- True for things that can be fought: players, and NPCs whose prototype gives them hit points.
function S.mortal(t)
  if t == nil or t:is_item() then return false end
  if t:is_player() then return true end
  return t.def ~= nil and type(t.def.hp) == "number"
end

function S.gold(p)
  return S.init(p).gold
end

-- Adds n gold (n may be negative; the purse never goes below zero). Returns the new amount.
function S.add_gold(p, n)
  local d = S.init(p)
  d.gold = math.max(0, d.gold + math.floor(n))
  S.status(p)
  return d.gold
end

-- Adds experience, levelling up as often as it allows.
function S.add_xp(p, n)
  local d = S.init(p)
  d.xp = d.xp + math.floor(n)
  while d.xp >= S.xp_to_next(d.level) do
    d.xp = d.xp - S.xp_to_next(d.level)
    d.level = d.level + 1
    d.max_hp = S.max_hp_for(d.level)
    d.hp = d.max_hp
    p:send("You have reached level " .. d.level .. "! You feel stronger.")
    mud.emit("level", p, d.level)
    S.vitals(p)
  end
  S.status(p)
end

-- Damage dice and verb of a fighter: the wielded weapon's def.damage, or an NPC's def.damage,
-- or bare fists.
function S.weapon(t)
  local worn = t:worn() or {}
  local w = worn.wield
  if w and w.def and w.def.damage then
    return w.def.damage, w.def.verb or "hit", w
  end
  if t:is_npc() and t.def.damage then
    return t.def.damage, t.def.verb or "hit"
  end
  return 2, "punch"
end

-- Total armour: an NPC's def.armor plus def.armor of everything worn.
function S.armor(t)
  local a = 0
  if t:is_npc() and t.def.armor then a = t.def.armor end
  for _, x in pairs(t:worn() or {}) do
    if x.def and x.def.armor then a = a + x.def.armor end
  end
  return a
end

-- "[hp 14/20]" for messages to players.
function S.bar(p)
  local hp, max = S.hp(p), S.max_hp(p)
  local colour = hp * 3 <= max and "{R}" or hp * 3 <= max * 2 and "{Y}" or "{G}"
  return "[hp " .. colour .. hp .. "{x}/" .. max .. "]"
end

-- Time played: seconds saved in player.data.played, plus the time since this login.
-- Kept across reloads (mud.keep), so a reload does not forget who logged in when.
local since = mud.keep("since", {}) -- player id -> os.time() at login

function S.played(p)
  local d = S.init(p)
  return (d.played or 0) + (since[p.id] and (os.time() - since[p.id]) or 0)
end

mud.on("login", function(p)
  S.init(p)
  if since[p.id] == nil then since[p.id] = os.time() end
  S.vitals(p)
  S.status(p)
end)

mud.on("logout", function(p)
  p.data.played = S.played(p)
  since[p.id] = nil
end)

local function duration(secs)
  local h, m, s = math.floor(secs / 3600), math.floor(secs / 60) % 60, secs % 60
  if h > 0 then return string.format("%dh %02dm %02ds", h, m, s) end
  if m > 0 then return string.format("%dm %02ds", m, s) end
  return s .. "s"
end

-- Regeneration: every player not fighting heals once per regen_every (S.resting decides).
S.resting = function(p) return true end

sweep.players(settings.regen_every, function(p)
  local d = S.init(p)
  if d.hp < d.max_hp and S.resting(p) then
    S.set_hp(p, d.hp + math.max(1, math.floor(d.max_hp / 10)))
  end
end)

command {
  name = "score",
  aliases = { "sc" },
  help = "score\nShow your level, hit points, experience and gold.",
  run = function(actor)
    local d = S.init(actor)
    local lines = {
      "You are " .. actor.name .. ", level " .. d.level .. ".",
      "Hit points: " .. d.hp .. "/" .. d.max_hp .. ".",
      "Experience: " .. d.xp .. " (" .. (S.xp_to_next(d.level) - d.xp) .. " to the next level).",
      "Gold: " .. d.gold .. ".",
      "Armour: " .. S.armor(actor) .. ".",
    }
    local room = actor.room
    if room then lines[#lines + 1] = "You stand in " .. room.name .. "." end
    lines[#lines + 1] = "Time played: " .. duration(S.played(actor)) .. "."
    actor:send(table.concat(lines, "\n"))
  end,
}

return S
