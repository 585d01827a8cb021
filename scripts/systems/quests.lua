-- Quests: defined in Lua, progress saved per character as plain data.
--
--   quests.define {
--     key = "warden", name = "The Warden's Letter", repeatable = false,
--     stages = {
--       { text = "...", objective = { talk = "eldwood:hermit", topics = { "errand" } }, say = "..." },
--       { text = "...", objective = { reach = "riverside:undercroft" } },
--       { text = "...", objective = { kill = "eldwood:wolf", count = 3 } },
--       { text = "...", objective = { bring = "riverside:letter", to = "millbrook:sister" } },
--     },
--     reward = { xp = 100, gold = 20, items = { "eldwood:amulet" } },
--   }
--
-- Progress is player.data.quests[key] = { stage = n, count = n, done = bool, times = n }.
-- A quest has no record until the first objective is met; a quest whose first objective is
-- to talk to someone therefore starts when the player asks that someone about it.
-- Objectives advance through: quests.ask (from an NPC's on_ask), quests.give (from an NPC's
-- on_give), the "death" event (kill), and quests.reach (the "enter" and "quest_stage"
-- events, and a sweep every settings.quest_sweep seconds). Every change of stage emits quest_stage(player, key, stage);
-- stage is #stages + 1 when the quest is complete.

local settings = require("settings")
local S = require("systems.stats")
local sweep = require("systems.sweep")

local Q = { list = {}, by_key = {} }

-- The kind of thing each objective field names. mud.ref makes the game refuse to load (and
-- `mudd check` report, at the quests.define call) a quest naming something that is not there.
local refs = { { "talk", "npc" }, { "reach", "room" }, { "kill", "npc" }, { "bring", "item" }, { "to", "npc" } }

function Q.define(q)
  assert(type(q.key) == "string", "quests.define: key expected")
  assert(type(q.stages) == "table" and #q.stages > 0, "quests.define: stages expected")
  for i, st in ipairs(q.stages) do
    assert(type(st.objective) == "table", "quests.define: stage " .. i .. " has no objective")
    for _, r in ipairs(refs) do
      local key = st.objective[r[1]]
      if key ~= nil then mud.ref(r[2], key, 2) end
    end
  end
  for _, key in ipairs((q.reward or {}).items or {}) do mud.ref("item", key, 2) end
  q.name = q.name or q.key
  if Q.by_key[q.key] == nil then Q.list[#Q.list + 1] = q end
  Q.by_key[q.key] = q
  return q
end

-- The player's record of quest key, or nil. With create, makes one at stage 1.
function Q.progress(p, key, create)
  local all = p.data.quests
  if all == nil then
    if not create then return nil end
    all = {}
    p.data.quests = all
    all = p.data.quests
  end
  local r = all[key]
  if r == nil and create then
    all[key] = { stage = 1, count = 0, done = false, times = 0 }
    r = all[key]
  end
  return r
end

-- The stage a player is at in quest q (a stage table and its index), or nil when the quest is
-- done and not repeatable.
function Q.current(p, q)
  local r = Q.progress(p, q.key)
  if r == nil then return q.stages[1], 1 end
  if r.done then return nil end
  return q.stages[r.stage], r.stage
end

function Q.is_done(p, key)
  local r = Q.progress(p, key)
  return r ~= nil and r.done == true
end

local function words(text)
  local set = {}
  for w in (text or ""):lower():gmatch("%a+") do set[w] = true end
  return set
end

local function reward(p, q)
  local r = q.reward or {}
  local got = {}
  if r.xp and r.xp > 0 then got[#got + 1] = r.xp .. " experience" end
  if r.gold and r.gold > 0 then
    S.add_gold(p, r.gold)
    got[#got + 1] = r.gold .. " gold"
  end
  for _, key in ipairs(r.items or {}) do
    local x
    if #p:contents() >= settings.carry and p.room then
      x = p.room:spawn(key)
      p:send(mud.cap(x.name) .. " is put at your feet; your hands are full.")
    else
      x = p:give(key)
    end
    got[#got + 1] = x.name
  end
  p:send("{Y}Quest complete:{x} " .. q.name .. "!" .. (#got > 0 and (" You receive " .. table.concat(got, ", ") .. ".") or ""))
  if r.xp and r.xp > 0 then S.add_xp(p, r.xp) end
end

-- Moves player p to the next stage of quest q.
function Q.advance(p, q)
  local r = Q.progress(p, q.key, true)
  local st = q.stages[r.stage]
  if st and st.done then p:send(st.done) end
  r.stage = r.stage + 1
  r.count = 0
  if r.stage > #q.stages then
    r.times = (r.times or 0) + 1
    reward(p, q)
    if q.repeatable then
      r.stage = 1
    else
      r.done = true
    end
    mud.emit("quest_stage", p, q.key, #q.stages + 1)
    return
  end
  if r.stage == 2 then
    p:send("{Y}New quest:{x} " .. q.name .. ". " .. q.stages[r.stage].text)
  elseif r.stage > 2 then
    p:send("{Y}Quest updated:{x} " .. q.name .. ". " .. q.stages[r.stage].text)
  end
  mud.emit("quest_stage", p, q.key, r.stage)
end

-- Calls fn(q, stage, objective) for each quest the player is on whose current objective has
-- field `kind`.
local function each(p, kind, fn)
  for _, q in ipairs(Q.list) do
    local st = Q.current(p, q)
    if st and st.objective[kind] ~= nil then
      if fn(q, st, st.objective) then return true end
    end
  end
  return false
end

local function asked(o, said)
  if o.topics == nil then return true end
  for _, w in ipairs(o.topics) do
    if said[w] then return true end
  end
  return false
end

-- From an NPC's on_ask: true if a quest took the question (the NPC has answered). Asking the
-- NPC who gave a quest about it again, while it is under way, reminds the player of the
-- current stage.
function Q.ask(npc, p, topic)
  if not p:is_player() then return false end
  local said = words(topic)
  local took = each(p, "talk", function(q, st, o)
    if o.talk ~= npc.key or not asked(o, said) then return false end
    if st.say then npc:say((st.say:gsub("%%n", p.name))) end
    Q.advance(p, q)
    return true
  end)
  if took then return true end
  for _, q in ipairs(Q.list) do
    local first = q.stages[1].objective
    local r = Q.progress(p, q.key)
    if first.talk == npc.key and r and not r.done and r.stage > 1 and asked(first, said) then
      local line = q.remind or ("Have you forgotten, %n? " .. q.stages[r.stage].text)
      npc:say((line:gsub("%%n", p.name)))
      return true
    end
  end
  return false
end

-- From an NPC's on_give: true if a quest wanted the item (it is then destroyed).
function Q.give(npc, p, item)
  if not p:is_player() then return false end
  return each(p, "bring", function(q, st, o)
    if o.bring ~= item.key or o.to ~= npc.key then return false end
    item:destroy()
    local r = Q.progress(p, q.key, true)
    r.count = (r.count or 0) + 1
    local need = o.count or 1
    if r.count < need then
      if st.each then npc:say((st.each:gsub("%%n", p.name):gsub("%%c", tostring(r.count)))) end
      p:send(q.name .. ": " .. r.count .. " of " .. need .. ".")
      return true
    end
    if st.say then npc:say((st.say:gsub("%%n", p.name))) end
    Q.advance(p, q)
    return true
  end)
end

-- True if the player's current objective of some quest is to reach room (and it advanced).
function Q.reach(room, p)
  if p == nil or not p:is_player() or room == nil then return false end
  return each(p, "reach", function(q, st, o)
    if o.reach ~= room.key then return false end
    Q.advance(p, q)
    return true
  end)
end

mud.on("death", function(victim, killer)
  if killer == nil or not killer:is_player() or victim:is_player() then return end
  each(killer, "kill", function(q, st, o)
    if o.kill ~= victim.key then return false end
    local r = Q.progress(killer, q.key, true)
    r.count = (r.count or 0) + 1
    local need = o.count or 1
    if r.count >= need then
      Q.advance(killer, q)
    else
      killer:send(q.name .. ": " .. r.count .. " of " .. need .. ".")
    end
    return false
  end)
end)

-- "Reach" objectives advance when a player enters a room, or starts a stage while already
-- standing in its room; a slow sweep catches players put in a room by other means (staff
-- moves), once per room they are found in, so that a repeatable quest is not done again
-- while its player stays put.
local seen = mud.keep("quests.seen", {}) -- player id -> the room key reach last looked at

mud.on("enter", function(p, room)
  seen[p.id] = room.key
  Q.reach(room, p)
end)
mud.on("logout", function(p) seen[p.id] = nil end)
mud.on("quest_stage", function(p, key, stage)
  local q = Q.by_key[key]
  if q == nil or stage > #q.stages or p.room == nil then return end -- not a finished quest
  local st = Q.current(p, q)
  if st and st.objective.reach == p.room.key then Q.advance(p, q) end
end)
sweep.players(settings.quest_sweep, function(p)
  local room = p.room
  if room and seen[p.id] ~= room.key then
    seen[p.id] = room.key
    Q.reach(room, p)
  end
end)

command {
  name = "quests",
  aliases = { "journal" },
  help = "quests\nYour journal: the quests you are on, and those you have finished.",
  run = function(actor)
    local lines = {}
    local finished = {}
    for _, q in ipairs(Q.list) do
      local r = Q.progress(actor, q.key)
      if r ~= nil then
        if r.done then
          finished[#finished + 1] = q.name
        elseif r.stage > 1 then
          local st = q.stages[r.stage]
          local line = "  " .. q.name .. ": " .. st.text
          local need = st.objective.count
          if need and need > 1 then line = line .. " (" .. (r.count or 0) .. "/" .. need .. ")" end
          lines[#lines + 1] = line
        end
        if q.repeatable and (r.times or 0) > 0 then
          finished[#finished + 1] = q.name .. " (" .. r.times .. (r.times == 1 and " time" or " times") .. ")"
        end
      end
    end
    local out = {}
    if #lines == 0 then
      out[1] = "You are on no quest. Talk to people; some of them need help."
    else
      out[1] = "Your quests:"
      for _, l in ipairs(lines) do out[#out + 1] = l end
    end
    if #finished > 0 then out[#out + 1] = "Finished: " .. table.concat(finished, ", ") .. "." end
    actor:send(table.concat(out, "\n"))
  end,
}

return Q
