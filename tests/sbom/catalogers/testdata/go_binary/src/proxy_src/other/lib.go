package lib

func Name() string { return "other" }
