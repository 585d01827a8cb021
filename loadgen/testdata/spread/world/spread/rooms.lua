-- The hub and a ring of a hundred rooms; each room's text is about the size of Millbrook Square's.

local ROOMS = 100

room {
  key = "hub",
  name = "The Hub",
  desc = [[A bare hall with a hundred doors. Whoever comes in is shown through one of them.]],
  exits = { north = "r1" },
  on_enter = function(room, who)
    if who:is_player() then who:move("spread:r" .. math.random(ROOMS)) end
  end,
}

for i = 1, ROOMS do
  room {
    key = "r" .. i,
    name = "Room " .. i,
    desc = [[
Grey cobbles, worn smooth and hollowed by generations of feet, slope gently toward a stone
fountain in the middle of the room. Striped awnings flap along one wall, and from somewhere to
the east comes the ring of a hammer. A short lane climbs to a green copper dome; another drops
toward the sound of a river.]],
    exits = {
      east = "r" .. (i % ROOMS + 1),
      west = "r" .. ((i - 2) % ROOMS + 1),
      south = "hub",
    },
  }
end
