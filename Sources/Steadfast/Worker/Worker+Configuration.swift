import Foundation

extension Worker {
    /// How a ``Worker`` claims and runs workflows.
    public struct Configuration: Sendable {
        /// The executor's id, unique among live workers. Defaults to `nil`: a new id made of the
        /// host name, the process id and a random suffix.
        public var executorID: String?
        /// The queues to claim from, in order of preference. Defaults to `["default"]`.
        public var queues: [String]
        /// The most workflows run at once by this worker. Defaults to 10.
        public var concurrency: Int
        /// How long an idle worker waits for a notification before it polls the database for
        /// work anyway (delayed workflows and the workflows of crashed workers are found by
        /// polling). Defaults to 500 milliseconds.
        public var pollInterval: Duration
        /// The largest fraction of `pollInterval` added or taken at random, so idle workers do
        /// not poll in step. Defaults to 0.2.
        public var pollJitter: Double
        /// How long the executor's lease lasts without a heartbeat; past it, another worker may
        /// take over this worker's workflows. Crashed processes are noticed sooner, by their
        /// closed database session. Defaults to 30 seconds.
        public var lease: Duration
        /// How often the worker renews its lease. Defaults to `nil`: a third of ``lease``.
        public var heartbeatInterval: Duration?
        /// The application version this worker runs; it then takes only workflows started under
        /// that version or none. Defaults to `nil`: every version.
        public var appVersion: String?
        /// On graceful shutdown, how long running workflows may take to finish before they are
        /// cancelled and handed back to the queue. Defaults to 10 seconds.
        public var shutdownGracePeriod: Duration
        /// How the worker fires due cron schedules: every worker calls
        /// `steadfast.tick_schedules` on its own jittered timer; none leads. Defaults to
        /// ``ScheduleTicking/init(maximumInterval:jitter:limit:)``'s defaults (at most every 5
        /// seconds, plus up to 1 second of jitter). `nil`: this worker fires none (the
        /// schedules it declares are still written at start).
        public var scheduleTicking: ScheduleTicking?

        /// How long a transaction step's connection may sit idle inside its transaction before
        /// the server ends the session (`idle_in_transaction_session_timeout` on the worker's
        /// pooled connections). A worker process that is frozen (stopped, swapping, hung)
        /// inside a transaction step holds its workflow's row until then; recovery takes its
        /// other workflows as soon as the lease expires, but that one only once the server has
        /// ended the frozen session — the execution that follows replays or re-runs the step,
        /// exactly once. Keep it above the longest pause a transaction step's own code makes
        /// between statements (a step idle longer is ended and runs again in the next
        /// execution). `nil` leaves the server's setting. Ignored when the database
        /// configuration's `sessionSettings` sets the parameter itself. Defaults to 60 seconds.
        ///
        /// The worker's executor session — claims, heartbeats — also gets `statement_timeout`
        /// and `idle_in_transaction_session_timeout` equal to ``lease``: a statement that waits
        /// longer than the lease on that session (say, behind a DBA's lock) is cancelled and
        /// retried rather than left to expire the lease unnoticed.
        public var transactionIdleTimeout: Duration? = .seconds(60)

        /// Where the worker's spans and metrics go: a span per execution and per step, joining
        /// the trace each workflow's starter stored; the counters, timers and gauges listed in
        /// the README ("Observability"). Defaults to the tracer and metrics factory bootstrapped
        /// when ``Worker/run()`` begins, if any.
        public var observability = Observability()

        /// Creates a configuration; every argument has the default documented on its property.
        public init(
            executorID: String? = nil,
            queues: [String] = ["default"],
            concurrency: Int = 10,
            pollInterval: Duration = .milliseconds(500),
            pollJitter: Double = 0.2,
            lease: Duration = .seconds(30),
            heartbeatInterval: Duration? = nil,
            appVersion: String? = nil,
            shutdownGracePeriod: Duration = .seconds(10),
            scheduleTicking: ScheduleTicking? = ScheduleTicking()
        ) {
            self.executorID = executorID
            self.queues = queues
            self.concurrency = max(1, concurrency)
            self.pollInterval = pollInterval
            self.pollJitter = min(max(pollJitter, 0), 1)
            self.lease = lease
            self.heartbeatInterval = heartbeatInterval
            self.appVersion = appVersion
            self.shutdownGracePeriod = shutdownGracePeriod
            self.scheduleTicking = scheduleTicking
        }

        var resolvedExecutorID: String {
            executorID ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
        }

        var resolvedHeartbeatInterval: Duration {
            heartbeatInterval ?? lease / 3
        }

        /// The poll interval with jitter applied.
        func nextPollDelay() -> Duration {
            let factor = 1 + pollJitter * Double.random(in: -1...1)
            return .milliseconds(Int64(max(1, pollInterval.inSeconds * 1000 * factor)))
        }
    }
}
