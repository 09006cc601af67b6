import Foundation

/// A conditional write S3 refused: the object is not the version the writer last saw (412
/// `PreconditionFailed`), another conditional write to it was in progress (409
/// `ConditionalRequestConflict`, still so after the client's retries), or it is gone (404 on
/// `If-Match`).
public struct S3WriteConflict: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        /// 412: `If-Match` named another ETag, or `If-None-Match: *` found an object.
        case changed
        /// 409 `ConditionalRequestConflict`: another conditional write raced this one.
        case concurrentWrite
        /// 404 on `If-Match`: the object was deleted since it was read.
        case deleted
    }

    public var bucket: String
    public var key: String
    public var condition: S3.WriteCondition
    public var reason: Reason
    public var error: AWSError

    public var description: String {
        let expected: String = switch condition {
        case .none: "no condition"
        case .ifAbsent: "expected no object (If-None-Match: *)"
        case .ifMatch(let etag): "expected ETag \(etag)"
        }
        let what: String = switch reason {
        case .changed: "it was written by someone else"
        case .concurrentWrite: "another conditional write to it was in progress"
        case .deleted: "it was deleted"
        }
        return "s3://\(bucket)/\(key): \(what) (\(expected)); \(error.code), HTTP \(error.status)"
    }
}

extension S3 {
    /// GetObject streamed into the file at `path` (replaced only when the download completes).
    /// Returns the object's ETag, or nil when there is no such key (404 `NoSuchKey`); the file
    /// is then left as it was.
    public func download(bucket: String, key: String, to path: String) async throws -> String? {
        do {
            let response = try await getObject(bucket: bucket, key: key, destination: .file(path))
            return response.headers["ETag"] ?? ""
        } catch let error as AWSError where error.status == 404 && error.code != "NoSuchBucket" {
            return nil
        }
    }

    /// PutObject of the file at `path` under `condition`; returns the new ETag. A refused
    /// condition throws ``S3WriteConflict``; every other failure its ``AWSError``.
    @discardableResult
    public func upload(bucket: String, key: String, file path: String, contentType: String = "application/octet-stream",
                       condition: WriteCondition) async throws -> String {
        do {
            return try await putObject(bucket: bucket, key: key, body: .file(path), contentType: contentType, condition: condition)
        } catch let error as AWSError {
            let reason: S3WriteConflict.Reason? = switch (error.status, condition) {
            case (412, _): .changed
            case (409, _) where error.code == "ConditionalRequestConflict": .concurrentWrite
            case (404, .ifMatch) where error.code != "NoSuchBucket": .deleted
            default: nil
            }
            guard let reason, condition != .none else { throw error }
            throw S3WriteConflict(bucket: bucket, key: key, condition: condition, reason: reason, error: error)
        }
    }
}
