// A module exercising every directive.
module example.com/app

go 1.22

toolchain go1.22.5

godebug default=go1.21

require golang.org/x/text v0.14.0

require (
	github.com/gorilla/mux v1.8.0
	"github.com/quoted/path" v1.0.0
	golang.org/x/net v0.17.0 // indirect
	golang.org/x/sys v0.13.0 // indirect; pinned for tests
	github.com/old/lib v1.2.3
	github.com/local/fork v0.1.0
	example.com/only/one v1.0.0
)

replace github.com/old/lib => github.com/new/lib v1.3.0

replace (
	github.com/local/fork => ../fork
	example.com/only/one v1.0.0 => example.com/only/one v1.0.1
	example.com/only/one v0.9.0 => example.com/elsewhere v9.9.9
)

exclude golang.org/x/net v0.16.0

retract (
	v1.0.1 // published by mistake
	[v1.1.0, v1.2.0]
)

tool golang.org/x/tools/cmd/stringer
