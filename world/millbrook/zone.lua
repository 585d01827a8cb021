zone {
  key = "millbrook",
  name = "Millbrook",
  desc = [[A village of grey stone and thatch on a hill above the river Wend.]],
  resets = {
    { item = "fountain", room = "square" },
    { item = "lamp", room = "temple" },
    { item = "candle", room = "temple" },
    { item = "wellhead", room = "well" },
    { item = "horseshoe", room = "smithy" },
    { item = "loaf", room = "market" },
    { item = "tankard", room = "inn" },
    { item = "sack", room = "loft" },
    { item = "whistle", into = "sack" },
    { item = "socks", into = "sack" },
    { item = "flour", room = "mill" },

    { npc = "dog", room = "square" },
    { npc = "innkeeper", room = "inn" },
    { npc = "smith", room = "smithy" },
    { npc = "sister", room = "temple" },
  },
}
