-- Spread: a game for load tests with many players. Everyone who enters the hub is sent on to
-- one of a hundred rooms, so that arrivals and looks reach about 1 % of the players, not all.
game { name = "Spread", start = "spread:hub" }
