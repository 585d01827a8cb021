zone { key = "z", name = "Zed" }
