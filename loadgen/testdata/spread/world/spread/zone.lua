zone { key = "spread", name = "The Spread" }
