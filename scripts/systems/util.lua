-- Small helpers shared by the game systems.

local U = {}

-- True while t is still in the world.
function U.alive(t)
  return t ~= nil and t:alive()
end

-- The room t is in, even when it is carried or inside a container.
function U.room_of(t)
  local n = 0
  while t ~= nil and t.room == nil and n < 10 do
    t = t.holder
    n = n + 1
  end
  return t and t.room
end

-- The first word of a line and the rest.
function U.word(args)
  args = args or ""
  local w, rest = args:match("^%s*(%S+)%s*(.-)%s*$")
  return w, rest or ""
end

-- True when a player could call t by `word`, by the engine's own rule (the same as `get`).
function U.matches(t, word)
  return t ~= nil and word ~= nil and t:matches(word)
end

-- The first thing t carries that matches `word` and, if given, passes `test(thing)`.
-- "2.dagger" picks the second match.
function U.carried(t, word, test)
  local n, w = 1, word
  local k, rest = (word or ""):match("^(%d+)%.(.+)$")
  if k then n, w = tonumber(k), rest end
  for _, x in ipairs(t:contents()) do
    if U.matches(x, w) and (test == nil or test(x)) then
      n = n - 1
      if n == 0 then return x end
    end
  end
  return nil
end

-- The number of things t carries, worn ones included.
function U.load(t)
  return #t:contents()
end

-- "Grey wolf" from "a grey wolf" for the start of a sentence.
function U.Cap(t)
  return mud.cap(t.name or "someone")
end

return U
