local quests = require("quests")
quests.define { key = "lost", stages = { { talk = "z:nobody" } } }
