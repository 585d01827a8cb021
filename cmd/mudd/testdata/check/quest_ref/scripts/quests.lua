-- A small quest module: objectives name NPCs, declared with mud.ref.
local Q = {}
function Q.define(q)
  for _, st in ipairs(q.stages) do
    if st.talk then mud.ref("npc", st.talk, 2) end
  end
end
return Q
