-- Pelts for the Ox: Marda asks for three wolf pelts and pays for them; the quest can be done
-- again.

local p = player("Trapper")

-- Marda is in the Drowsy Ox, north-west of the square.
p:cmd("north")
p:cmd("west")
p:cmd("ask marda about work")
p:expect("Bring me three")
p:cmd("journal")
p:expect("Bring three wolf pelts to Marda at the Drowsy Ox. (0/3)")

-- Three pelts, as if from three wolves of the deepwood.
for _ = 1, 3 do p.thing:give("eldwood:wolf_pelt") end
local gold = p.thing.data.gold

p:cmd("give pelt to marda")
p:expect("1 of 3")
p:cmd("give pelt to marda")
p:expect("2 of 3")
p:cmd("give pelt to marda")
p:expect("Quest complete: Pelts for the Ox!")
expect(p.thing.data.gold == gold + 15, "Marda pays fifteen gold")
expect(p.thing:has("eldwood:wolf_pelt") == nil, "Marda keeps the pelts")

-- Repeatable: she wants more.
p:cmd("ask marda about work")
p:expect("Bring me three")
