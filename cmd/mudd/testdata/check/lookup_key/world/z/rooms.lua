room { key = "a", name = "A", desc = "Room a.", exits = { north = "b" } }
room { key = "b", name = "B", desc = "Room b.", exits = { south = "a" },
  on_enter = function(room, who)
    if mud.room("arena:pit") and not who:has("z:badge") then
      who:send("The arena is open.")
    end
  end }
