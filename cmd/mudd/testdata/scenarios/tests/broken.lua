local p = player("Bob")
p:cmd("north")
p:expect("A dragon sleeps here.")
