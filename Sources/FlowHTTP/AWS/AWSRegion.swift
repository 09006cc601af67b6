import Foundation

/// The region AWS calls go to when a pipeline does not say.
public enum AWSRegion {
    /// `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the `region` of the selected profile
    /// (`AWS_PROFILE` or `default`) in the shared files; nil when none is set. The files are
    /// only read when neither variable is set; a malformed one is an error.
    public static func resolve(environment: [String: String]) throws(AWSConfigFileError) -> String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        let files = try AWSConfigFiles(environment: environment)
        return resolve(profile: AWSConfigFiles.selectedProfile(environment: environment), in: files)
    }

    /// The `region` of `profile` in already-read files.
    public static func resolve(profile: String, in files: AWSConfigFiles) -> String? {
        guard let region = files.profile(profile)?["region"], !region.isEmpty else { return nil }
        return region
    }
}
