// The README's dashboard example, verbatim (ReadmeTests checks that every Swift block of the
// README is in a file that is compiled).
import Hummingbird
import Steadfast
import SteadfastDashboard

func mountDashboard(on router: Router<BasicRequestContext>, client: Client, secret: String) {
    Dashboard(client: client, options: .init(token: secret)).addRoutes(to: router, at: "/steadfast")
}
