-- The River Wend: the ferryman and a heron.

local B = require("behaviours")

npc {
  key = "ferryman",
  name = "Tam the ferryman",
  keywords = { "tam", "ferryman", "boatman" },
  ground = "Tam the ferryman leans on the rail, his hands on the cable.",
  desc = [[
A weathered man in a tarred coat, with forearms like ships' ropes and a pipe he never seems to
light. He has crossed this river more times than he has said words, and he prefers it that way.]],
  on_say = B.talker({
    { words = { "cross", "ferry", "crossing", "fare" },
      reply = "South for the far bank, north for Millbrook. No charge. Keep your feet still." },
    { words = { "tower", "watchtower", "warden", "bryn" },
      reply = "Bryn locked it up and went south. Said the magpies could keep the key. "
        .. "Ask Ansel in the wood; he knew Bryn better than I did." },
    { words = { "river", "wend", "fish", "eels" },
      reply = "The Wend's deep in the middle and cold all year. Eels by the weir, pike by "
        .. "the reeds." },
  }),
  tick = 35,
  on_tick = B.idler(5, {
    "hauls on the cable, and the ferry creeps a yard further out.",
    "taps his unlit pipe against the rail.",
    "spits thoughtfully into the river.",
  }),
}

npc {
  key = "heron",
  name = "a grey heron",
  keywords = { "heron", "grey", "bird" },
  ground = "A grey heron stands knee-deep in the shallows, perfectly still.",
  desc = [[
A tall grey bird with a dagger of a beak and a black plume laid back from its eye. It has been
standing on one leg for so long that it might be carved.]],
  tick = 40,
  on_tick = B.idler(6, {
    "strikes at the water and comes up with a wriggling silver fish.",
    "shifts onto its other leg, very slowly.",
    "turns its head to watch you with one cold yellow eye.",
  }),
}
