package main

import (
	"example.com/dep"
	"example.com/lib"
	"example.com/local"
)

func main() { println(lib.Name() + dep.Name() + local.Name()) }
