module example.com/tiny

go 1.13

require github.com/pkg/errors v0.9.1
