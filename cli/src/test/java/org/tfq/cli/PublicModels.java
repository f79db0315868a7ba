package org.tfq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.tfq.ir.io.Json;

/** The exports of public model code in testdata/models, as testdata/models/public_manifest.json lists them. */
final class PublicModels {
    private PublicModels() {}

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> entries() {
        try {
            Map<String, Object> manifest = (Map<String, Object>) Json.read(
                    Files.readString(Cli.root().resolve("testdata/models/public_manifest.json")));
            return (List<Map<String, Object>>) manifest.get("models");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> names() {
        return entries().stream().map(e -> (String) e.get("name")).toList();
    }
}
