-- The Eldwood: the forest west of Millbrook.

local B = require("behaviours")

room {
  key = "edge",
  name = "Edge of the Eldwood",
  desc = [[
The road from Millbrook gives out here and becomes a path of packed earth and old leaves
between the first trees. Oak and ash stand close, and birdsong starts up in them as though a door
had been opened. East, the village gate shows pale between the trunks; the path goes on west
under the trees.]],
  exits = {
    east = "millbrook:west_gate",
    west = "old_path",
  },
}

room {
  key = "old_path",
  name = "The Old Path",
  desc = [[
Roots cross the path like the rungs of a ladder laid flat. Here it divides: a brighter way
opens north toward a clearing, a damp trail slopes south to the sound of running water, and the
main path goes on west where the trees grow darker and older. East lies the edge of the wood.]],
  exits = {
    east = "edge",
    west = "deepwood",
    north = "clearing",
    south = "stream",
  },
  tick = 60,
  on_tick = B.ambience(5, {
    "A woodpecker drums somewhere overhead, stops, and drums again.",
    "A squirrel pours itself down a trunk, sees you, and pours itself back up.",
    "The wind moves through the treetops with a sound like distant surf.",
  }),
}

room {
  key = "clearing",
  name = "The Clearing",
  desc = [[
The trees step back around a ring of soft grass starred with small white flowers. In the middle
stands a great oak, older than the village, its lowest limbs near enough to the ground to climb.
A path leads north between hazel bushes toward a thin thread of woodsmoke, and the old path lies
south.]],
  exits = {
    south = "old_path",
    north = "garden",
    up = "oak",
  },
}

room {
  key = "oak",
  name = "In the Great Oak",
  desc = [[
High in the oak, two broad limbs make a seat where you can rest your back against the trunk.
Through gaps in the leaves the copper dome of Millbrook shows to the east and, far to the south,
the grey stump of a watchtower across the river. The way down is by the lower limbs.]],
  exits = {
    down = "clearing",
  },
  on_enter = function(room, who)
    if who ~= nil and who:is_player() and math.random(3) == 1 then
      who:send("The branch dips under you, and leaves patter down to the grass below.")
    end
  end,
}

room {
  key = "garden",
  name = "The Hermit's Garden",
  desc = [[
Someone has coaxed a garden out of the forest floor: beans climbing hazel poles, a bed of herbs,
a beehive made from a hollow log. At the far side squats a hut of split logs and turf, its low
doorway open to anyone who cares to go in. A path leads south, back to the clearing.]],
  exits = {
    south = "clearing",
    hut = "hut",
  },
}

room {
  key = "hut",
  name = "Inside the Hermit's Hut",
  desc = [[
The hut is one round room, smoky and surprisingly neat. Bunches of herbs hang drying from the
rafters, smoke finds its own slow way out through the turf roof, and shelves hold jars of seeds,
a few books swollen with damp, and a row of smooth river stones. The doorway leads out to the
garden.]],
  exits = {
    out = "garden",
  },
}

room {
  key = "stream",
  name = "The Footbridge",
  desc = [[
A brown stream hurries over its stones beneath a bridge of two split logs with a rope for a
rail. Ferns crowd the banks and the air is cool and green and smells of wet moss. The trail climbs
north to the old path, and follows the water south toward the river.]],
  exits = {
    north = "old_path",
    south = "riverside:reeds",
  },
  on_enter = function(room, who)
    if who ~= nil and who:is_player() then
      who:send("The logs creak and shift underfoot, and the rope rail sways.")
      room:send("The footbridge creaks as " .. B.name(who, "someone") .. " steps onto it.", who)
    end
  end,
}

room {
  key = "deepwood",
  name = "The Deepwood",
  desc = [[
The trees here are ancient, their trunks furred with moss and so wide that three people could not
join hands around one. Little grows beneath them; the ground is a soft brown floor of leaf mould
that swallows every footstep. The path runs east toward lighter woods and west toward a grey
glimmer between the trunks, and a narrow track drops south into a hollow.]],
  exits = {
    east = "old_path",
    west = "stones",
    south = "hollow",
  },
}

room {
  key = "hollow",
  name = "Fox Hollow",
  desc = [[
A bowl in the ground, lined with bracken and the upturned roots of a fallen beech. A dark hole
between the roots smells strongly of fox, and small bones and feathers lie scattered about its
mouth. The track climbs north out of the hollow.]],
  exits = {
    north = "deepwood",
  },
}

room {
  key = "stones",
  name = "The Standing Stones",
  desc = [[
Seven grey stones stand in a ring in a space the forest has never taken back. Each is taller
than a man and leans a little, patched with yellow lichen, and the grass inside the ring is
short as if grazed, though no sheep come here. When the wind drops the silence is complete. The
only way out is the path east.]],
  exits = {
    east = "deepwood",
  },
  on_say = function(room, who, text)
    if who == nil or not who:is_player() then return end
    if math.random(2) == 1 then
      room:send("A faint hum runs through the stones, like a wet finger drawn round a glass.")
    end
  end,
}
