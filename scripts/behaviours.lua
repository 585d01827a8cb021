-- Shared behaviours for NPCs and rooms.
-- Each helper returns a hook function ready to put in a definition.

local B = {}

-- A random element of a list, or nil for an empty list.
function B.pick(list)
  if type(list) ~= "table" or #list == 0 then return nil end
  return list[math.random(#list)]
end

-- True when at least one player is in the room.
function B.watched(room)
  if room == nil then return false end
  local players = room:players()
  return players ~= nil and #players > 0
end

-- The name of a thing, or a fallback for the nameless.
function B.name(who, fallback)
  if who ~= nil and type(who.name) == "string" and who.name ~= "" then return who.name end
  return fallback or "stranger"
end

-- on_tick for an NPC that strolls about its zone.
-- chance: percent of ticks on which it moves; lines: emotes used now and then when watched.
function B.wanderer(chance, lines)
  return function(self)
    if self.room == nil then return end
    local roll = math.random(100)
    if roll <= chance then
      self:wander()
    elseif lines and roll <= chance + 8 and B.watched(self.room) then
      self:emote(B.pick(lines))
    end
  end
end

-- on_tick for an NPC that does small things when someone is there to see them.
-- odds: one chance in `odds` per tick.
function B.idler(odds, lines)
  return function(self)
    if math.random(odds) ~= 1 or not B.watched(self.room) then return end
    local line = B.pick(lines)
    if line then self:emote(line) end
  end
end

-- on_tick for a room with passing sounds and sights.
function B.ambience(odds, lines)
  return function(room)
    if math.random(odds) ~= 1 or not B.watched(room) then return end
    local line = B.pick(lines)
    if line then room:send(line) end
  end
end

-- The lower-case words of a line of speech (at most 40 of them).
local function words_of(text)
  local set, n = {}, 0
  for w in text:lower():gmatch("%a+") do
    set[w] = true
    n = n + 1
    if n >= 40 then break end
  end
  return set
end

-- on_say for an NPC that answers on topics.
-- topics: list of { words = {...}, reply = "text" or function(self, who) -> text }.
-- In a reply, "%n" stands for the speaker's name. The first matching topic answers.
function B.talker(topics)
  return function(self, who, text)
    if who == nil or not who:is_player() or type(text) ~= "string" then return end
    local said = words_of(text)
    for _, topic in ipairs(topics) do
      for _, w in ipairs(topic.words) do
        if said[w] then
          local reply = topic.reply
          if type(reply) == "function" then reply = reply(self, who) end
          if type(reply) == "string" then
            local line = reply:gsub("%%n", function() return B.name(who) end)
            self:say(line)
          end
          return
        end
      end
    end
  end
end

return B
