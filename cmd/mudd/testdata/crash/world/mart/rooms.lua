room {
  key = "hall",
  name = "The Trading Hall",
  desc = [[A bare hall with a baker's counter. Everyone trades here.]],
}

item {
  key = "token",
  name = "a token",
  keywords = { "token" },
  ground = "A token lies here.",
  desc = [[A brass token stamped with a serial number.]],
}

item {
  key = "loaf",
  name = "a loaf",
  keywords = { "loaf" },
  ground = "A loaf lies here.",
  desc = [[A loaf of bread.]],
  value = 10,
}

item {
  key = "satchel",
  name = "a satchel",
  keywords = { "satchel" },
  ground = "A satchel lies here.",
  desc = [[A satchel anyone may reach into.]],
  container = true,
  capacity = 40,
}

npc {
  key = "baker",
  name = "the baker",
  keywords = { "baker" },
  ground = "The baker stands behind the counter.",
  desc = [[She sells loaves and buys them back at the same price.]],
}
