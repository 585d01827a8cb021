-- The River Wend: the landing, the ferry, and the watchtower on the far bank.

local B = require("behaviours")

room {
  key = "landing",
  name = "The Landing",
  desc = [[
Mill Lane ends in a wharf of tarred planks where the river Wend slides past, wide and brown and
unhurried. A flat-bottomed ferry waits at the end of the wharf, tethered to a cable strung
across to the far bank. A towpath follows the bank west; east, the roar of the mill weir fills
the air.]],
  exits = {
    north = "millbrook:mill_lane",
    west = "towpath",
    east = "weir",
    ferry = "ferry",
  },
  tick = 50,
  on_tick = B.ambience(5, {
    "A fish rises in the middle of the river, leaving a widening ring.",
    "A branch drifts past, turning slowly, on its way to the sea.",
    "The ferry cable creaks as the current leans on it.",
  }),
}

room {
  key = "weir",
  name = "The Weir",
  desc = [[
Below the mill the river is held back by a long, sloping wall of stones, and the water slides
over it in a smooth brown sheet before breaking into foam. The spray is cold and constant, and
small rainbows come and go in it. The landing lies back to the west.]],
  exits = {
    west = "landing",
  },
}

room {
  key = "towpath",
  name = "The Towpath",
  desc = [[
A grassy path runs along the top of the bank, worn flat by the horses that once hauled barges
upstream. Willows trail their branches in the water, and moorhens scold from beneath them. East
the path returns to the landing; west it fades into reeds where a stream comes down from the
forest.]],
  exits = {
    east = "landing",
    west = "reeds",
  },
}

room {
  key = "reeds",
  name = "Among the Reeds",
  desc = [[
Reeds taller than a man rustle on every side, and the ground squelches underfoot. A stream comes
down out of the Eldwood to the north and spreads into the river through a dozen small channels.
Dragonflies stitch the air above the water. The towpath leads back east.]],
  exits = {
    east = "towpath",
    north = "eldwood:stream",
  },
}

room {
  key = "ferry",
  name = "On the Ferry",
  desc = [[
The ferry is a broad raft of planks with a low rail, drawn across the river hand over hand along
a cable. Water chuckles under the boards, and the whole deck shifts with every step. The wharf
of Millbrook lies north; the far bank lies south.]],
  exits = {
    north = "landing",
    south = "far_bank",
  },
  on_enter = function(room, who)
    if who ~= nil and who:is_player() then
      who:send("The deck dips and sways under your weight, then steadies.")
    end
  end,
}

room {
  key = "far_bank",
  name = "The Far Bank",
  desc = [[
A shingle beach slopes up from the water to a stand of alders. The ferry cable is made fast here
to a post sunk in a cairn of stones. Across the river Millbrook climbs its hill, the temple dome
green above the roofs. A path climbs south toward the watchtower.]],
  exits = {
    north = "ferry",
    south = "hill",
  },
}

room {
  key = "hill",
  name = "Watchtower Hill",
  desc = [[
The path climbs through sheep-bitten turf and outcrops of grey rock. Gorse blazes yellow on the
slopes, and the wind blows steadily up from the south. Above, the tower stands against the sky,
missing a few teeth from its crown. The path runs north down to the river and south to the foot
of the tower.]],
  exits = {
    north = "far_bank",
    south = "yard",
  },
}

room {
  key = "yard",
  name = "The Tower Yard",
  desc = [[
Broken flagstones lie within the stump of an old curtain wall, and nettles grow thick in the
corners. The watchtower rises on the south side, a round shaft of dressed stone. Its only door
is of oak bound with iron, the keyhole dark with rust. The path leads north, down the hill.]],
  exits = {
    north = "hill",
    south = {
      to = "base",
      door = {
        name = "iron-bound door",
        keywords = { "door", "iron", "oak" },
        closed = true,
        locked = true,
        key = "eldwood:tower_key",
      },
    },
  },
}

room {
  key = "base",
  name = "Inside the Watchtower",
  desc = [[
A round chamber with arrow slits for windows and a floor deep in dust and old straw. A stone
stair winds up inside the thickness of the wall, and in the middle of the floor a square hole
with a ladder leads down into darkness. The door north lets out into the yard.]],
  exits = {
    north = "yard",
    up = "top",
    down = "undercroft",
  },
}

room {
  key = "top",
  name = "Top of the Watchtower",
  desc = [[
The wind never stops up here. From the broken parapet the whole valley lies open: the river
curling from west to east, the ferry cable a dark thread across it, Millbrook on its hill with
the mill wheel turning, and beyond it the Eldwood rolling away to the blue edge of the world.
Deep in the forest, seven grey specks stand in a ring. The stair leads back down.]],
  exits = {
    down = "base",
  },
  on_enter = function(room, who)
    if who ~= nil and who:is_player() then
      who:send("The wind snatches at your clothes as you come out onto the parapet.")
    end
  end,
}

room {
  key = "undercroft",
  name = "The Undercroft",
  desc = [[
A vaulted cellar beneath the tower, dry and cold, where the garrison kept its stores. Empty
racks line the walls, and the floor has been swept, as if someone meant to come back. The
ladder climbs to the chamber above.]],
  exits = {
    up = "base",
  },
}
