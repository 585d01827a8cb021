-- The River Wend: the ferryman and a heron.

local B = require("behaviours")
local talk = require("systems.talk")
local combat = require("systems.combat")

local ferryman_topics = {
  { words = { "cross", "ferry", "crossing", "fare" },
    reply = "South for the far bank, north for Millbrook. No charge. Keep your feet still." },
  { words = { "tower", "watchtower", "warden", "bryn" },
    reply = "Bryn locked it up and went south. Said the magpies could keep the key. "
      .. "Ask Ansel in the wood; he knew Bryn better than I did." },
  { words = { "river", "wend", "fish", "eels" },
    reply = "The Wend's deep in the middle and cold all year. Eels by the weir, pike by "
      .. "the reeds." },
  { words = { "bandit", "bandits", "robber", "thief" },
    reply = "There's a fellow been sleeping up the old tower, some say. I don't take him across." },
}

npc {
  key = "ferryman",
  name = "Tam the ferryman",
  keywords = { "tam", "ferryman", "boatman" },
  ground = "Tam the ferryman leans on the rail, his hands on the cable.",
  desc = [[
A weathered man in a tarred coat, with forearms like ships' ropes and a pipe he never seems to
light. He has crossed this river more times than he has said words, and he prefers it that way.]],
  on_say = B.talker(ferryman_topics),
  on_ask = talk.asker(ferryman_topics, "Couldn't say."),
  tick = 35,
  on_tick = B.idler(5, {
    "hauls on the cable, and the ferry creeps a yard further out.",
    "taps his unlit pipe against the rail.",
    "spits thoughtfully into the river.",
  }),
}

npc(combat.mob {
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
  hp = 12, level = 1, damage = 2, verb = "stab", xp = 15,
})

npc(combat.mob {
  key = "bandit",
  name = "a ragged bandit",
  keywords = { "bandit", "ragged", "robber", "man" },
  ground = "A ragged bandit crouches by the parapet, out of the wind.",
  desc = [[
A hollow-cheeked man in a patched soldier's coat with the buttons cut off, a stolen sword at his
hip. He has made a nest of sacking against the parapet and does not mean to share it.]],
  hp = 30, level = 4, damage = 7, verb = "slash", armor = 2, xp = 120, gold = { 8, 15 },
  aggressive = true, attack_line = "snarls, \"Mine!\" and comes at you!",
})
