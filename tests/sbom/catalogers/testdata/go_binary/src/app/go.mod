module example.com/app

go 1.18

require (
	example.com/dep v0.1.0
	example.com/lib v1.2.0
	example.com/local v0.0.0
)

replace example.com/lib v1.2.0 => example.com/other v0.3.0

replace example.com/local => ../local
