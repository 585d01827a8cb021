zone {
  key = "riverside",
  name = "The River Wend",
  desc = [[The river below Millbrook: a landing, a ferry, and the old watchtower beyond.]],
  reset_every = 300,
  resets = {
    { item = "bell", room = "landing" },
    { item = "eel_trap", room = "weir" },
    { item = "pebble", room = "far_bank" },
    { item = "chest", room = "undercroft" },
    { item = "spyglass", into = "chest" },
    { item = "letter", into = "chest" },
    { item = "coins", into = "chest" },
    { item = "pennant", room = "top" },

    { npc = "ferryman", room = "ferry" },
    { npc = "heron", room = "reeds" },
    { npc = "bandit", room = "top" },
    { item = "millbrook:shortsword", npc = "bandit" },
  },
}
