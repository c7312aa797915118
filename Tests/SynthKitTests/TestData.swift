import Foundation
import SynthMath

/// Paths of the shared datasets: `$SYNTHLAB_DATA_DIR`, or `../shared/data` beside the repository.
enum TestData {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let folder: String = ProcessEnvironment.current["SYNTHLAB_DATA_DIR"]
        ?? URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path

    static func path(_ name: String) -> String { folder + "/" + name }

    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "synthkit-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
