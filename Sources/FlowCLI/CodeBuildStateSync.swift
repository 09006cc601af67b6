import ArgumentParser
import Foundation
import FlowEngine
import FlowHTTP
import FlowSteps

/// `--state-url s3://bucket/prefix` on `run`, `resume` and `retry`: the state database lives in
/// S3 between builds (docs/codebuild.md). Only parsing and printing here; the work is
/// ``StateRestore`` and ``StateSync`` in FlowSteps.
struct StateURLOption: ParsableArguments {
    @Option(name: .customLong("state-url"),
            help: ArgumentHelp("Keep the state database in S3: downloaded at start, uploaded after every finished step with a conditional write.",
                               valueName: "s3://bucket/prefix"))
    var stateURL: String?

    func validate() throws {
        guard let stateURL else { return }
        do { _ = try StateURL(parsing: stateURL) } catch { throw ValidationError(error.description) }
    }

    /// Downloads the database into `stateDirectory` when `--state-url` is given (before the
    /// database is opened); nil otherwise. Failures are bad input (exit 2): the bucket, the
    /// credentials or the network must be fixed before anything runs.
    func restore(into stateDirectory: String) async throws -> RemoteState? {
        guard let text = stateURL else { return nil }
        let url = try StateURL(parsing: text)
        umask(0o077)
        try StateDirectory.makeDirectory(stateDirectory)
        let environment = ProcessInfo.processInfo.environment
        let region: String
        do {
            guard let found = try AWSRegion.resolve(environment: environment) else {
                throw CLIError("--state-url: no AWS region; set AWS_REGION (CodeBuild sets it)")
            }
            region = found
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("--state-url: the AWS configuration cannot be read: \(error)")
        }
        let network = StepNetwork.standard(environment: environment, clock: SystemClock())
        let s3 = S3(AWSClient(http: network.http, credentials: network.credentials, region: region, environment: environment))
        do {
            let outcome = try await StateRestore.restore(url, s3: s3, databasePath: stateDirectory + "/flow.db")
            if let aside = outcome.movedAside {
                Terminal.standardError.write("state: the local database was moved to \(aside); using \(url.address(of: url.databaseKey))\n")
            }
            if outcome.etag == nil {
                Terminal.standardError.write("state: \(url.address(of: url.databaseKey)) does not exist yet; the first finished step creates it\n")
            }
            return RemoteState(url: url, s3: s3, etag: outcome.etag, stateDirectory: stateDirectory)
        } catch {
            throw CLIError("--state-url: cannot read \(url.address(of: url.databaseKey)): \(error)")
        }
    }
}

/// The state restored from S3, waiting for the database to be opened.
struct RemoteState {
    var url: StateURL
    var s3: S3
    var etag: String?
    var stateDirectory: String

    /// The uploader for this command's run. A conflict cancels the run through `signals` (the
    /// steps are stopped and recorded cancelled); ``finishing(_:database:runID:_:)`` then says why and exits 1.
    func sync(database: RunDatabase, signals: CommandSignals) -> StateSync {
        StateSync(url: url, s3: s3, database: database, etag: etag, scratchDirectory: stateDirectory,
                  onConflict: { conflict in
                      Terminal.standardError.write("flow: state conflict: \(conflict); stopping this run\n")
                      signals.cancellation.cancel(force: true)
                  },
                  onFailure: { message in Terminal.standardError.write("flow: \(message); the next finished step tries again\n") })
    }

    /// This build's name in a conflict copy's key: `CODEBUILD_BUILD_ID`, else host and pid.
    static func buildName(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let id = environment["CODEBUILD_BUILD_ID"], !id.isEmpty { return id }
        return "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    }

    /// Runs `body` (the run to its end), then makes the last upload. A conflict exits 1 whatever
    /// the run's own status, saying where this build's state is; a failed last upload exits 1
    /// too. Otherwise the run's own ending (its exit status) stands.
    static func finishing(_ sync: StateSync?, database: String, runID: String, _ body: () async throws -> Void) async throws {
        guard let sync else { return try await body() }
        var ending: (any Error)?
        do { try await body() } catch { ending = error }
        switch await sync.finish(runID: runID, build: buildName()) {
        case .saved(let etag):
            Terminal.standardError.write("state: saved \(sync.url.address(of: sync.url.databaseKey)) (ETag \(etag))\n")
            if let ending { throw ending }
        case .conflict(let conflict, let savedAs, let saveError):
            var message = "flow: state conflict: another build wrote \(sync.url.address(of: conflict.key)) since this one read it; run \(runID) was stopped. "
            if let savedAs {
                message += "This build's state is saved as \(sync.url.address(of: savedAs)) and kept in \(database)."
            } else {
                message += "Saving this build's copy failed (\(saveError ?? "unknown")); it is kept in \(database)."
            }
            Terminal.standardError.write(message + "\n")
            throw CommandExit(status: .failure)
        case .failed(let message):
            Terminal.standardError.write("flow: \(message); everything is kept in \(database)\n")
            throw CommandExit(status: .failure)
        }
    }
}
