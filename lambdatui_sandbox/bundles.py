"""Deterministic deployment packages: same inputs, same bytes, same CodeSha256."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Mapping

from .handlers import python_files

ZIP_DATE = (2024, 1, 1, 0, 0, 0)

_NODE = """// {name}: {description}
const RELEASE = "{release}";

export const {function} = async (event) => {{
  const records = Array.isArray(event?.Records) ? event.Records : [];
  if (records.length > 0) {{
    console.info(`processing ${{records.length}} record(s)`);
    return {{ batchItemFailures: [] }};
  }}
  console.info("handling request for {name}");
  return {{ statusCode: 200, body: JSON.stringify({{ service: "{name}", release: RELEASE }}) }};
}};
"""

_JAVA = """// {name}: {description}
package {package};

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

public class {cls} implements RequestHandler<Map<String, Object>, Map<String, Object>> {{
    private static final String RELEASE = "{release}";

    @Override
    public Map<String, Object> {function}(Map<String, Object> event, Context context) {{
        context.getLogger().log("handling request for {name}");
        return Map.of("service", "{name}", "release", RELEASE);
    }}
}}
"""

_BOOTSTRAP = """#!/bin/sh
# {name}: {description}
# release {release}
exec /var/task/{name}
"""


def archive(files: Mapping[str, str], executables: frozenset[str] = frozenset()) -> bytes:
    """A zip whose bytes depend only on ``files``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if path in executables else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3
            bundle.writestr(info, files[path])
    return buffer.getvalue()


def function_package(
    name: str, runtime: str, handler: str, description: str, release: str
) -> bytes:
    """The deployment zip of a demo function for its runtime and handler."""
    fields = {"name": name, "description": description, "release": release}
    if runtime.startswith("python"):
        module, function = handler.rsplit(".", 1)
        return archive(python_files(name, module, function, description, release))
    if runtime.startswith("nodejs"):
        module, function = handler.rsplit(".", 1)
        return archive({f"{module}.mjs": _NODE.format(function=function, **fields)})
    if runtime.startswith("java"):
        qualified, function = handler.split("::", 1)
        package, cls = qualified.rsplit(".", 1)
        source = _JAVA.format(package=package, cls=cls, function=function, **fields)
        return archive({f"{qualified.replace('.', '/')}.java": source})
    return archive({"bootstrap": _BOOTSTRAP.format(**fields)}, frozenset({"bootstrap"}))


def layer_package(name: str, runtime_dir: str, release: str) -> bytes:
    """A layer zip holding one module under the runtime's layer path."""
    module = name.replace("-", "_")
    source = f'"""{name} {release}."""\n\nVERSION = "{release}"\n'
    return archive({f"{runtime_dir}/{module}/__init__.py": source})


def encoded(package: bytes) -> str:
    return base64.b64encode(package).decode("ascii")
