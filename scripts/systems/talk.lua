-- Talk: hooks for NPCs that answer `ask <npc> about <topic>` and take things with `give`.
--
--   npc { ..., on_ask = talk.asker(topics, "I know nothing about that."), on_give = talk.receiver() }
--
-- topics is the list used by behaviours.talker for on_say: { words = {...}, reply = ... }, so
-- one list can serve both. Quests come first: a question or a gift a quest is waiting for is
-- taken by the quest.

local B = require("behaviours")
local Q = require("systems.quests")

local T = {}

-- An on_ask hook answering from topics; `unknown` is said when no topic matches.
function T.asker(topics, unknown)
  local answer = B.talker(topics)
  return function(self, who, topic)
    if who == nil or not who:is_player() then return end
    if Q.ask(self, who, topic) then return end
    local said = false
    -- B.talker says the reply; find out first whether any topic matches.
    for w in (topic or ""):lower():gmatch("%a+") do
      for _, t in ipairs(topics) do
        for _, tw in ipairs(t.words) do
          if tw == w then said = true end
        end
      end
    end
    if said then
      answer(self, who, topic)
    else
      self:say(((unknown or "I couldn't tell you about that, %n."):gsub("%%n", who.name)))
    end
  end
end

-- An on_give hook: quests take what they are waiting for; anything else is handed back.
function T.receiver(refusal)
  return function(self, who, item)
    if who == nil or not who:is_player() then return end
    if Q.give(self, who, item) then return end
    if item:move_into(who) then
      self:say(((refusal or "Keep it, %n; I've no need of that."):gsub("%%n", who.name)))
      who:send(mud.cap(self.name) .. " hands " .. item.name .. " back to you.")
    end
  end
end

return T
