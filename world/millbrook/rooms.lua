-- Millbrook: the village.

local B = require("behaviours")

room {
  key = "square",
  name = "Millbrook Square",
  desc = [[
Grey cobbles, worn smooth and hollowed by generations of feet, slope gently toward a stone
fountain in the middle of the square. Striped awnings flap along Market Row to the west, and
from the smithy to the east comes the ring of a hammer. North, a short lane climbs to the
temple's {#5f9e80}green copper dome{x}; south, Mill Lane drops toward the sound of the river.]],
  exits = {
    north = "temple_walk",
    east = "smithy",
    west = "market",
    south = "mill_lane",
  },
  tick = 45,
  on_tick = B.ambience(5, {
    "A flock of {w}pigeons{x} bursts up from the cobbles, circles once and settles again.",
    "A cart loaded with turnips rattles across the square and away down Mill Lane.",
    "Two old women on the fountain's rim lean together over some piece of news.",
    "The smith's hammer falls silent for a moment, and you can hear the fountain.",
  }),
}

room {
  key = "temple_walk",
  name = "Temple Walk",
  desc = [[
A short lane of flagstones between lime-washed walls climbs north to the temple steps. To the
west hangs the painted sign of the Drowsy Ox, a bull asleep under a crescent moon; to the east
an archway opens onto the court of the village well. The square lies back to the south.]],
  exits = {
    north = "temple",
    south = "square",
    west = "inn",
    east = "well",
  },
}

room {
  key = "temple",
  name = "The Temple of the Lamp",
  desc = [[
Under a low dome, green outside and still bright copper within, a single lamp burns on a plain
stone altar. Benches of dark oak face it in short rows, their ends carved with ears of wheat.
The air smells of beeswax and cold stone, and every sound comes back twice from the curve of
the dome. The doors stand open to Temple Walk, south.]],
  exits = {
    south = "temple_walk",
  },
  on_say = function(room, who, text)
    if who == nil or not who:is_player() or type(text) ~= "string" then return end
    local last = text:match("(%a+)%A*$")
    if last then
      last = last:lower()
      room:send("The dome gives your words back, softer: \"..." .. last .. "... " .. last ..
        "...\"")
    end
  end,
}

room {
  key = "inn",
  name = "The Drowsy Ox",
  desc = [[
A low-beamed common room, warm and brown, smelling of woodsmoke, ale and onions. A fire
crackles in a hearth wide enough to roast an ox, which is said to have happened once. Stairs
creak up to the guest loft, a trapdoor behind the bar leads down to the cellar, and the door
east opens onto Temple Walk.]],
  exits = {
    east = "temple_walk",
    up = "loft",
    down = {
      to = "cellar",
      door = { name = "trapdoor", keywords = { "trapdoor", "trap" }, closed = true },
    },
  },
  tick = 60,
  on_tick = B.ambience(5, {
    "A log settles in the hearth with a soft crash and a burst of sparks.",
    "Someone at a corner table laughs at a joke you did not hear.",
    "The smell of onion stew drifts out from the kitchen.",
  }),
}

room {
  key = "loft",
  name = "The Guest Loft",
  desc = [[
Under the slope of the thatch, four narrow beds stand in a row, each with a folded blanket and a
pegged board for boots. A small round window looks west over the roofs of the market toward the
dark line of the Eldwood. The stairs go back down to the common room.]],
  exits = {
    down = "inn",
  },
}

room {
  key = "cellar",
  name = "The Inn Cellar",
  desc = [[
Cool, damp and smelling of yeast, the cellar is stacked with casks along both walls, their ends
chalked with dates and names. A ladder climbs to the trapdoor above. Somewhere in a dark corner
a slow drip keeps its own time.]],
  exits = {
    up = "inn",
  },
}

room {
  key = "well",
  name = "Well Court",
  desc = [[
A small paved court enclosed by the backs of houses, cool and quiet after the lane. Washing
lines cross overhead, hung with shirts and sheets, and a bench against the wall is polished by
years of sitting. Moss grows green between the flagstones wherever the well bucket has dripped.
The archway west leads back to Temple Walk.]],
  exits = {
    west = "temple_walk",
  },
}

room {
  key = "market",
  name = "Market Row",
  desc = [[
Striped awnings shade a double row of stalls: bread and cheese, onions in strings, bolts of
undyed wool, a tinker's tray of needles and buttons. The stallholders call to one another more
than to customers. The square opens to the east, and west the row narrows to the village gate.]],
  exits = {
    east = "square",
    west = "west_gate",
  },
  tick = 50,
  on_tick = B.ambience(5, {
    "\"Onions! Good keeping onions!\" calls a stallholder, to nobody in particular.",
    "A wasp drones over the honey stall and is waved away with a cloth.",
    "The tinker rearranges his buttons into a neater row.",
  }),
}

room {
  key = "west_gate",
  name = "The West Gate",
  desc = [[
Two squat towers of fieldstone flank an arch where the west road leaves Millbrook. The gates
themselves were taken down long ago and now roof the smith's woodshed, so the arch stands open
day and night. Beyond it the road runs west into the shadow of the Eldwood; Market Row lies
east.]],
  exits = {
    east = "market",
    west = "eldwood:edge",
  },
}

room {
  key = "smithy",
  name = "Harl's Smithy",
  desc = [[
Heat rolls out of the forge in waves, and sparks jump from the anvil each time the hammer falls.
Tongs, files and half-made horseshoes hang from nails on the sooty walls, and a trough of black
water hisses whenever hot iron goes into it. The open front looks west onto the square.]],
  exits = {
    west = "square",
  },
}

room {
  key = "mill_lane",
  name = "Mill Lane",
  desc = [[
The lane tilts steeply south from the square, its cobbles dark with spray. To the east the great
wheel of the mill turns and groans; to the south the lane ends at the landing on the river
Wend. Cottages lean together along the west side, their doors painted blue against bad luck.]],
  exits = {
    north = "square",
    east = "mill",
    south = "riverside:landing",
  },
}

room {
  key = "mill",
  name = "The Mill",
  desc = [[
The whole building trembles with the turning of the wheel outside. Flour dust hangs in the air
and furs every beam and sill, and the millstones rumble in their wooden case like distant
thunder. The door opens west onto Mill Lane.]],
  exits = {
    west = "mill_lane",
  },
}
