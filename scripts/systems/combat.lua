-- Combat: kill, flee, aggressive NPCs, death, corpses.
--
-- Fights live in one table, C.fights (fighter id -> { who = thing, target = thing }), and one
-- game-wide timer resolves a round for all of them every `settings.round` seconds. Each round
-- every fighter swings once at its target: the chance to hit and the damage come from levels,
-- the wielded weapon (def.damage) and worn armour (def.armor). See docs/game.md.

local settings = require("settings")
local U = require("systems.util")
local S = require("systems.stats")

local C = { fights = {}, fled = {} }  -- fled: player id -> round of their last try

C.round = settings.round
C.flee_chance = 65 -- percent
C.corpse = "millbrook:corpse"
C.coins = "millbrook:gold"
-- The game does not load (and mudd check reports it) if these are missing.
mud.ref("item", C.corpse)
mud.ref("item", C.coins)
mud.ref("room", settings.respawn)

-- Fighters don't regenerate.
S.resting = function(p) return C.fights[p.id] == nil end

local function third(verb)
  if verb:match("[sxz]$") or verb:match("[cs]h$") then return verb .. "es" end
  return verb .. "s"
end

local function valid(f)
  return U.alive(f.who) and U.alive(f.target) and f.who.room ~= nil and f.who.room == f.target.room
end

-- The thing `who` is fighting, or nil.
function C.target(who)
  local f = C.fights[who.id]
  if f and valid(f) then return f.target end
  return nil
end

-- An NPC going into a fight puts on what it carries that can be worn or wielded (zone resets
-- give NPCs their gear; this is where they use it).
function C.arm(npc)
  if not npc:is_npc() or npc.data.armed then return end
  npc.data.armed = true
  local worn = npc:worn() or {}
  for _, x in ipairs(npc:contents()) do
    local slot = x.def and x.def.slot
    if slot and x.slot == nil and worn[slot] == nil and x:wear(slot) then worn[slot] = x end
  end
end

-- `a` attacks `b`; `b` fights back unless it is already fighting someone.
function C.engage(a, b)
  C.arm(a)
  C.arm(b)
  C.fights[a.id] = { who = a, target = b }
  if C.target(b) == nil then C.fights[b.id] = { who = b, target = a } end
end

-- Ends every fight `who` is in, as fighter or as target.
function C.stop(who)
  C.fights[who.id] = nil
  for id, f in pairs(C.fights) do
    if f.target == who then C.fights[id] = nil end
  end
end

-- Creates a coins item worth n gold in room (returns it).
function C.make_coins(room, n)
  local c = room:spawn(C.coins)
  c.data.amount = n
  local name = n == 1 and "a gold coin" or (n .. " gold coins")
  c:describe { name = name, ground = mud.cap(name) .. " glint here." }
  return c
end

-- Leaves the corpse of `victim` in room, lasting `decay` seconds.
function C.make_corpse(victim, room, decay)
  local corpse = room:spawn(C.corpse)
  local name = "the corpse of " .. victim.name
  local keywords = { "corpse", "body" }
  if victim.def and victim.def.keywords then
    for _, k in ipairs(victim.def.keywords) do keywords[#keywords + 1] = k end
  else
    keywords[#keywords + 1] = victim.name:lower()
  end
  corpse:describe {
    name = name,
    ground = mud.cap(name) .. " lies here.",
    keywords = keywords,
    desc = "What is left of " .. victim.name .. ", already cold and stiffening.",
  }
  local tick = corpse.def.tick or 40
  corpse.data.ticks_left = math.max(1, math.ceil(decay / tick))
  return corpse
end

local function npc_dies(victim, killer, room)
  room:send("{R}" .. U.Cap(victim) .. " is dead!{x}")
  local corpse = C.make_corpse(victim, room, settings.corpse_decay)
  for _, x in ipairs(victim:contents()) do
    if x.slot then x:unwear() end
    x:move_into(corpse)
  end
  for _, key in ipairs(victim.def.loot or {}) do
    local x = room:spawn(key)
    if x and not x:move_into(corpse) then x:destroy() end
  end
  local gold = victim.def.gold
  if type(gold) == "table" then gold = math.random(gold[1], gold[2]) end
  if type(gold) == "number" and gold > 0 then C.make_coins(room, gold):move_into(corpse) end
  if killer and killer:is_player() then
    local xp = victim.def.xp or (S.level(victim) * 10)
    killer:send("You gain {Y}" .. xp .. "{x} experience.")
    S.add_xp(killer, xp)
  end
  mud.emit("death", victim, killer)
  victim:destroy()
end

local function player_dies(victim, killer, room)
  local d = S.init(victim)
  local loss = math.floor(d.gold * settings.death_gold)
  victim:send("{R}You have been killed by " .. (killer and killer.name or "misfortune") .. "!{x}")
  room:send("{R}" .. U.Cap(victim) .. " is dead!{x}", victim)
  local corpse = C.make_corpse(victim, room, settings.player_corpse_decay)
  corpse.data.owner = victim.name
  if loss > 0 then
    S.add_gold(victim, -loss)
    C.make_coins(room, loss):move_into(corpse)
  end
  mud.emit("death", victim, killer)
  S.set_hp(victim, math.max(1, math.floor(S.max_hp(victim) / 2)))
  victim:send("Darkness... then lamplight. You wake on the cold floor of the temple.")
  if loss > 0 then
    victim:send("Your purse is lighter by " .. loss .. " gold; it lies with your corpse in " .. room.name .. ".")
  end
  victim:move(settings.respawn)
  local here = victim.room
  if here then here:send(U.Cap(victim) .. " appears on the temple floor, pale and shaking.", victim) end
end

-- `victim` has died at the hands of `killer` (which may be nil).
function C.die(victim, killer)
  local room = U.room_of(victim)
  C.stop(victim)
  if room == nil then return end
  if victim:is_player() then
    player_dies(victim, killer, room)
  else
    npc_dies(victim, killer, room)
  end
end

-- One swing of `a` at `b`.
function C.swing(a, b)
  local la, lb = S.level(a), S.level(b)
  local dice, verb = S.weapon(a)
  local armor = S.armor(b)
  local chance = math.max(10, math.min(95, 65 + 5 * (la - lb) - 2 * armor))
  local room = a.room
  if math.random(100) > chance then
    a:send("You try to " .. verb .. " " .. b.name .. " but miss.")
    b:send(U.Cap(a) .. " tries to " .. verb .. " you but misses.")
    room:send(U.Cap(a) .. " misses " .. b.name .. ".", a, b)
    return
  end
  local dmg = math.random(math.max(1, math.ceil(dice / 2)), dice) + math.floor(la / 2) - math.floor(armor / 2)
  dmg = math.max(1, dmg)
  local hp = S.set_hp(b, S.hp(b) - dmg)
  a:send("You " .. verb .. " " .. b.name .. ".")
  if b:is_player() then
    b:send(U.Cap(a) .. " " .. third(verb) .. " you. " .. S.bar(b))
  end
  room:send(U.Cap(a) .. " " .. third(verb) .. " " .. b.name .. ".", a, b)
  if hp <= 0 then C.die(b, a) end
end

-- One round of every fight.
function C.round_all()
  local order = {}
  for id, f in pairs(C.fights) do order[#order + 1] = f end
  mud.separately(order, function(f)
    if C.fights[f.who.id] == f then
      if not valid(f) then
        C.fights[f.who.id] = nil
        -- A fighter whose target is gone turns on anyone still fighting it here.
        if U.alive(f.who) then
          for _, g in pairs(C.fights) do
            if g.target == f.who and valid(g) then
              C.fights[f.who.id] = { who = f.who, target = g.who }
              break
            end
          end
        end
      else
        C.swing(f.who, f.target)
      end
    end
  end) -- each fight is its own unit of work: fighters are not linked for saving
  for _, f in ipairs(order) do
    if C.fights[f.who.id] == f and valid(f) and f.who:is_player() then
      f.who:send(S.bar(f.who) .. " " .. mud.cap(f.target.name) .. ": " .. C.condition(f.target))
    end
  end
end

-- How hurt a fighter looks.
function C.condition(t)
  local share = S.hp(t) / math.max(1, S.max_hp(t))
  if share >= 1 then return "unhurt"
  elseif share > 0.75 then return "scratched"
  elseif share > 0.5 then return "wounded"
  elseif share > 0.25 then return "badly wounded"
  end
  return "nearly dead"
end

-- One timer for the whole game: a round for every fight. C.rounds counts them.
C.rounds = 0
every(C.round, function()
  C.rounds = C.rounds + 1
  C.round_all()
end)

-- Starts a fight of `a` against `b`, checking that it is allowed. Returns true if it started.
function C.attack(a, b)
  if b == nil or b == a then return false end
  if b:is_player() and a:is_player() then
    a:send("You can't fight other players here.")
    return false
  end
  if not S.mortal(b) then
    a:send("You can't fight " .. b.name .. ".")
    return false
  end
  C.engage(a, b)
  return true
end

command {
  name = "kill",
  aliases = { "attack", "fight" },
  help = "kill <creature>\nAttack a creature. The fight goes on in rounds until one of you dies or flees.",
  run = function(actor, args)
    local w = U.word(args)
    if w == nil then actor:send("Kill what?") return end
    local room = actor.room
    if room == nil then return end
    local t = room:find(w)
    if t == nil or t == actor then actor:send("You see no '" .. w .. "' here.") return end
    local current = C.target(actor)
    if current == t then actor:send("You are already fighting " .. t.name .. "!") return end
    if t:is_item() then actor:send("You can't fight " .. t.name .. ".") return end
    if C.attack(actor, t) then
      actor:send("You attack " .. t.name .. "!")
      room:send(U.Cap(actor) .. " attacks " .. t.name .. "!", actor)
    end
  end,
}

command {
  name = "flee",
  help = "flee\nTry to run from a fight through a random open exit. It can fail.",
  run = function(actor)
    if C.target(actor) == nil then
      C.fights[actor.id] = nil
      actor:send("You aren't fighting anyone.")
      return
    end
    local room = actor.room
    local ways = {}
    for dir in pairs(room:exits()) do
      if room:is_open(dir) then ways[#ways + 1] = dir end
    end
    table.sort(ways)
    if C.fled[actor.id] == C.rounds then
      actor:send("You are still looking for a gap to run through!")
      return
    end
    C.fled[actor.id] = C.rounds
    if #ways == 0 or math.random(100) > C.flee_chance then
      actor:send("You try to flee, but can't get away!")
      room:send(U.Cap(actor) .. " tries to flee, but can't get away.", actor)
      return
    end
    local dir = ways[math.random(#ways)]
    C.stop(actor)
    actor:send("You flee " .. dir .. "!")
    room:send(U.Cap(actor) .. " flees " .. dir .. "!", actor)
    actor:move(dir)
  end,
}

-- Commands a fighter can't use: leaving a fight takes `flee`.
C.moves = {
  north = true, south = true, east = true, west = true, up = true, down = true,
  northeast = true, northwest = true, southeast = true, southwest = true, go = true,
  quit = true,
}

-- Attacks the first player in the NPC's room it is not already fighting.
local function pounce(self, who)
  if C.target(self) ~= nil or self.room == nil then return end
  if who == nil then
    local players = self.room:players()
    who = players[math.random(math.max(1, #players))]
  end
  if who == nil or not who:is_player() or who.room ~= self.room then return end
  self.room:send(U.Cap(self) .. " " .. (self.def.attack_line or "attacks you!"):gsub("you", who.name), who)
  who:send(U.Cap(self) .. " " .. (self.def.attack_line or "attacks you!"))
  C.engage(self, who)
end

-- Adds combat behaviour to an NPC definition and returns it:
--   npc(combat.mob { key = "wolf", hp = 16, level = 2, damage = 4, aggressive = true, ... })
-- Aggressive NPCs attack players who come in, and players they find when they move; anyone
-- fighting in the NPC's room has to `flee` to leave it.
function C.mob(def)
  local on_enter, on_tick, on_command = def.on_enter, def.on_tick, def.on_command
  def.on_enter = function(self, who, from)
    if def.aggressive and who and who:is_player() then pounce(self, who) end
    if on_enter then return on_enter(self, who, from) end
  end
  if def.aggressive or on_tick then
    def.tick = def.tick or 5
    def.on_tick = function(self)
      if def.aggressive and C.target(self) == nil and #self.room:players() > 0 then
        pounce(self)
        return
      end
      if on_tick and C.target(self) == nil then return on_tick(self) end
    end
  end
  def.on_command = function(self, who, verb, args)
    if C.moves[verb] and C.target(who) ~= nil then
      if verb == "quit" then
        who:send("Not in the middle of a fight! Type 'flee' to try to get away.")
      else
        who:send("You are fighting for your life! Type 'flee' to try to get away.")
      end
      return true
    end
    if on_command then return on_command(self, who, verb, args) end
  end
  return def
end

-- The corpse: its on_tick counts down to dust. The timer is the corpse's own, so it goes
-- with the corpse.
function C.decay(self)
  local left = (self.data.ticks_left or 1) - 1
  self.data.ticks_left = left
  if left > 0 then return end
  local room = U.room_of(self)
  if room then room:send(mud.cap(self.name) .. " crumbles to dust.") end
  self:destroy()
end

-- Gold on the floor or in a corpse: picking it up puts it in the purse.
function C.pocket(self, who)
  if not who:is_player() then return end
  local n = self.data.amount or 1
  S.add_gold(who, n)
  who:send("You count " .. n .. " gold into your purse.")
  self:destroy()
end

mud.on("logout", function(p)
  C.stop(p)
  C.fled[p.id] = nil
end)

return C
