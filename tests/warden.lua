-- The Warden's Letter, through every stage: Ansel's errand, the key in the magpies' nest,
-- the locked watchtower across the river, Bryn's letter to Sister Wenna, and back to Ansel.

local p = player("Questor")

local function walk(...)
  for _, dir in ipairs({ ... }) do
    p:cmd(dir)
    p:expect_not("can't go")
  end
end

p:cmd("quests")
p:expect("You are on no quest")

-- Stage 1: Ansel, in his hut in the Eldwood, has an errand.
walk("west", "west", "west", "west", "north", "north", "go hut")
expect_room(p, "eldwood:hut")
p:cmd("ask hermit about errand")
p:expect("Get into that tower, find the letter")
p:cmd("quests")
p:expect("go down to its undercroft")

-- Stage 2: the key is in the magpies' nest; the tower is across the river.
walk("go out", "south", "up")
p:cmd("get key from nest")
p:expect("You take an iron key")
walk("down", "south", "south", "south", "east", "east", "go ferry", "south", "south", "south")
p:cmd("unlock door")
p:expect("You unlock")
p:cmd("open door")
p:expect("You open")
walk("south", "down")
expect_room(p, "riverside:undercroft")
p:expect("Quest updated: The Warden's Letter")

-- Stage 3: the letter goes to Sister Wenna at the temple.
p:cmd("get letter from chest")
p:expect("You take a folded letter")
walk("up", "north", "north", "north", "north", "north", "north", "north", "north", "north")
p:cmd("give letter to wenna")
p:expect("Bryn's hand")
p:cmd("quests")
p:expect("Go back to Ansel")

-- Stage 4: back to Ansel, who gives the reward.
local gold = p.thing.data.gold
walk("south", "south", "west", "west", "west", "west", "north", "north", "go hut")
p:cmd("ask ansel about wenna")
p:expect("Quest complete: The Warden's Letter!")
expect(p.thing.data.gold == gold + 25, "the reward is 25 gold")
expect(p.thing:has("eldwood:amulet") ~= nil, "the reward includes the amulet")
p:cmd("quests")
p:expect("Finished: The Warden's Letter.")

-- Done for good: asking again does not start it over.
p:cmd("ask hermit about errand")
p:expect("nothing about that")
