import ArgumentParser
import Foundation
import Logging
import Steadfast
import SteadfastDashboard

/// `steadfast dashboard`: the web dashboard on 127.0.0.1:8080 (SteadfastDashboard).
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve the web dashboard: workflows, steps, queues, executors, schedules; cancel, resume, fork.",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise; any other address needs --token (or \
            STEADFAST_DASHBOARD_TOKEN), which every request must then present (open the \
            dashboard once with ?token=…). --read-only hides and refuses every action, for a \
            database role granted only grant_viewer. Stops on SIGINT or SIGTERM.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: a free one, printed at start).")
    var port = 8080

    @Flag(help: "Show, never act.")
    var readOnly = false

    @Option(help: ArgumentHelp("A secret every request must present; required off loopback.", valueName: "secret"))
    var token: String?

    func run() async throws {
        var database = try global.database()
        database.maximumConnections = 10
        database.applicationName = "steadfast-dashboard"
        let token = token ?? ProcessInfo.processInfo.environment["STEADFAST_DASHBOARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        try await global.reportingErrors {
            let client = try await Client.connect(database, logger: quietLogger)
            var logger = Logger(label: "steadfast.dashboard")
            logger.logLevel = .warning
            do {
                try await Dashboard.serve(client: client, host: host, port: port,
                                          options: .init(readOnly: readOnly, token: token), logger: logger) { port in
                    let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
                    FileHandle.standardOutput.write(Data("dashboard: \(address)\n".utf8))
                }
            } catch let error as DashboardError {
                await client.close()
                FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
                throw ExitCode.failure
            }
            await client.close()
        }
    }
}
