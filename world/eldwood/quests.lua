-- The Warden's Letter: Ansel sends you across the river into the old watchtower, for the
-- letter Bryn left there, and on to Sister Wenna at the temple.

local quests = require("systems.quests")

quests.define {
  key = "warden",
  name = "The Warden's Letter",
  remind = "Bryn's letter, %n: in the watchtower across the river, and then to Wenna. "
    .. "If it's the key you need, ask me about it.",
  stages = {
    { text = "Ansel the hermit, in his hut in the Eldwood, has an errand for someone.",
      objective = { talk = "eldwood:hermit", topics = { "errand", "errands", "help", "work", "quest" } },
      say = "An errand? Bless you, %n. When Bryn locked the watchtower he left a letter inside, "
        .. "down in the undercroft, I'd swear to it. His old friend Sister Wenna has waited "
        .. "twenty years for word of him. Get into that tower, find the letter, and take it "
        .. "to her at the temple. The key? Ask me about it." },
    { text = "Get into the old watchtower across the river Wend and go down to its undercroft.",
      objective = { reach = "riverside:undercroft" },
      done = "Dust and cold air. If Bryn left a letter, it will be here somewhere." },
    { text = "Take Bryn's letter to Sister Wenna at the Temple of the Lamp in Millbrook.",
      objective = { bring = "riverside:letter", to = "millbrook:sister" },
      say = "Bryn's hand... I would know it anywhere. Gone south to his sister's, and never "
        .. "a word to me. Thank you, %n. Tell Ansel he was right, the old goat." },
    { text = "Go back to Ansel in the Eldwood and tell him Wenna has her letter.",
      objective = { talk = "eldwood:hermit", topics = { "wenna", "letter", "bryn", "errand", "sister", "done" } },
      say = "She has it? Then that's one old debt paid. Here, %n: Bryn gave me this the day he "
        .. "left. It's done more good round your neck than on my shelf." },
  },
  reward = { xp = 150, gold = 25, items = { "eldwood:amulet" } },
}
