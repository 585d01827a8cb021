zone {
  key = "mart",
  name = "The Mart",
  desc = [[One hall where traders swap tokens, loaves and gold.]],
  resets = {
    { npc = "baker", room = "hall" },
  },
}
