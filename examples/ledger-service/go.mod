module example.com/bank/ledger-service

go 1.15

require (
	github.com/gin-gonic/gin v1.6.2
	github.com/gorilla/websocket v1.4.0
	golang.org/x/crypto v0.0.0-20200622213623-75b288015ac9
	golang.org/x/text v0.3.3
	gopkg.in/yaml.v2 v2.2.7 // indirect
)
