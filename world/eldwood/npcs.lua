-- The Eldwood: the hermit and his neighbours.

local B = require("behaviours")
local talk = require("systems.talk")
local combat = require("systems.combat")

local hermit_topics = {
  { words = { "key", "keys", "lock", "locked", "door" },
    reply = "The tower key? Old Bryn, the last warden, hung it on a nail by his door. "
      .. "A magpie had it the week he left. Climb the great oak in the clearing and look "
      .. "in the nest; they never throw anything away." },
  { words = { "magpie", "magpies", "bird", "birds", "nest" },
    reply = "Thieves, every one, and proud of it. The old pair nest high in the great oak, "
      .. "just north of the old path. Anything that shines ends up there." },
  { words = { "tower", "watchtower", "warden", "bryn" },
    reply = "The watchtower stands on the far bank of the Wend. Soldiers kept it once, then "
      .. "only Bryn. When he left he locked it behind him. Whatever he left inside is still "
      .. "there, I'd wager." },
  { words = { "forest", "wood", "woods", "eldwood", "trees" },
    reply = "The Eldwood is older than any of us. Keep to the paths, leave the foxes be, "
      .. "and you'll come to little harm. West, the trees grow very old indeed, and the "
      .. "wolves have come back to them." },
  { words = { "wolf", "wolves", "pelt", "pelts" },
    reply = "A pair of them in the deepwood and an old one at the stones. Don't go west "
      .. "with bare hands and a shirt, %n. Harl in the village sells better." },
  { words = { "stones", "stone", "ring", "circle" },
    reply = "Seven stones, west through the deepwood. Speak inside the ring and they answer, "
      .. "after a fashion. Nobody knows who raised them. I've stopped asking." },
  { words = { "river", "wend", "ferry", "tam", "cross" },
    reply = "Follow the stream south over the footbridge and you'll reach the Wend. "
      .. "Tam's ferry crosses below Millbrook; he'll take anyone who doesn't rock the boat." },
  { words = { "village", "millbrook", "town" },
    reply = "Millbrook's east along the road. Good bread, loud smith, and the Drowsy Ox "
      .. "keeps a fire in. I go in for salt, and to be reminded why I left." },
  { words = { "fox", "foxes", "vixen" },
    reply = "There's a vixen denning in the hollow south of the deepwood. Shy. Don't crowd her." },
  { words = { "name", "who", "hermit" },
    reply = "Ansel, once of Millbrook. I came out here for a quiet summer. That was "
      .. "twenty-two summers ago." },
  { words = { "hello", "hi", "greetings", "hail", "morning", "evening" },
    reply = "Well met, %n. Sit, if you like. Ask me about the forest, the stones, the river "
      .. "or the old tower, and I'll tell you what I know. Or about an errand, if you've "
      .. "young legs." },
  { words = { "thanks", "thank", "bye", "farewell", "goodbye" },
    reply = "Go well, %n. Mind the roots." },
}

npc {
  key = "hermit",
  name = "Ansel the hermit",
  keywords = { "ansel", "hermit", "old", "man" },
  ground = "Ansel the hermit sits cross-legged by the fire, stirring the pot.",
  desc = [[
A lean old man in a patched brown robe, his beard tucked into his belt to keep it out of the
pot. His eyes are bright and amused, and bits of leaf are caught in his hair. He seems to be
waiting for someone to say something worth answering.]],
  on_say = B.talker(hermit_topics),
  on_ask = talk.asker(hermit_topics, "Hm. I know a little about a lot, %n, but nothing about that."),
  on_give = talk.receiver("Kind of you, %n, but I've all I need."),
  on_enter = function(self, who)
    if who ~= nil and who:is_player() and math.random(2) == 1 then
      self:emote("looks up from the pot and nods to " .. B.name(who, "the newcomer") .. ".")
    end
  end,
  tick = 40,
  on_tick = B.idler(5, {
    "stirs the pot, tastes, and adds a pinch of something grey.",
    "turns a smooth river stone over in his fingers.",
    "hums a few bars of an old marching song, then stops, as if surprised.",
  }),
}

npc {
  key = "magpie",
  name = "a magpie",
  keywords = { "magpie", "bird" },
  ground = "A magpie hops about, bright-eyed and busy.",
  desc = [[
A sleek black-and-white bird with a long tail that glints green when it moves. It looks at you
the way a pawnbroker looks at a watch.]],
  tick = 12,
  on_tick = B.wanderer(15, {
    "chatters harshly and flicks its long tail.",
    "cocks its head and stares at something shiny you are carrying.",
    "hops sideways, pretending not to watch you.",
  }),
}

npc {
  key = "fox",
  name = "a red vixen",
  keywords = { "vixen", "fox", "red" },
  ground = "A red vixen watches from the mouth of the den, ready to vanish.",
  desc = [[
A slender fox with a white throat and black stockings, her brush wrapped neatly round her feet.
Her amber eyes follow your every move.]],
  tick = 30,
  on_tick = B.idler(6, {
    "yawns, showing a great many small white teeth.",
    "slips back into the den, then puts her nose out again.",
    "lifts her head to test the wind.",
  }),
}

npc(combat.mob {
  key = "rabbit",
  name = "a brown rabbit",
  keywords = { "rabbit", "brown", "bunny" },
  ground = "A brown rabbit nibbles the grass, one ear turned your way.",
  desc = [[A plump wild rabbit with a white scut and a twitching nose. It is ready to bolt.]],
  hp = 4, level = 1, damage = 1, verb = "nip", xp = 5,
  tick = 25,
  on_tick = B.idler(6, {
    "sits up, nose working, then goes back to the grass.",
    "thumps a hind foot and freezes.",
  }),
})

npc(combat.mob {
  key = "wolf",
  name = "a grey wolf",
  keywords = { "wolf", "grey" },
  ground = "A grey wolf stands among the trunks, its hackles up.",
  desc = [[
A lean grey wolf with a torn ear and yellow eyes. Its ribs show, and it watches you the way
it would watch a lame deer.]],
  hp = 14, level = 2, damage = 4, verb = "bite", armor = 0, xp = 40,
  aggressive = true, attack_line = "snarls and leaps at you!",
  loot = { "eldwood:wolf_pelt" },
  tick = 4,
})
