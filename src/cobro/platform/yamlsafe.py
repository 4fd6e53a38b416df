"""The one YAML loader: safe tags only, bounded size, nesting and alias expansion, duplicate keys refused.

`yaml.safe_load` refuses arbitrary objects but not a 521-byte alias bomb (nested anchors that expand to billions
of nodes once a caller walks them), a 100k-deep nesting (RecursionError in the composer) or a key given twice (the
second silently wins).  Every YAML cobro reads — policies, import mappings, risk tuning — goes through `load_yaml`.

The composer is where all three can be stopped cheaply: it builds the node graph one event at a time, so the depth
is known on entry, and an alias is resolved to an already composed node whose expanded size is known; the budget
counts what the document would expand to, not the bytes it is written in.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits


class YamlError(ValueError):
    """A YAML document that cannot be read or breaks a limit; `where` is "line L, column C" when known."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _BoundedLoader(yaml.SafeLoader):
    limits: InputLimits = DEFAULT_LIMITS

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._nodes = 0
        self._weight: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > self.limits.yaml_aliases:
                raise YamlError(f"more than {self.limits.yaml_aliases} aliases (*name): refused",
                                _where(event.start_mark))
        self._depth += 1
        if self._depth > self.limits.yaml_depth:
            raise YamlError(f"nested deeper than {self.limits.yaml_depth} levels: refused", _where(event.start_mark))
        nodes_before = self._nodes
        try:
            node = Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1
        if isinstance(event, AliasEvent):
            # an alias adds everything its anchor stands for, as a walk over the loaded data would see it
            self._nodes += self._weight.get(id(node), 1)
        else:
            self._nodes += 1
            self._weight[id(node)] = self._nodes - nodes_before
        if self._nodes > self.limits.yaml_nodes:
            raise YamlError(f"expands to more than {self.limits.yaml_nodes} values (aliases included): refused",
                            _where(event.start_mark))
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, Any] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise YamlError(f"key {key_node.value!r} appears twice (first at {_where(seen[key_node.value])})",
                                    _where(key_node.start_mark))
                seen[key_node.value] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


class _DecimalLoader(_BoundedLoader):
    """Exact amounts: `300.00` becomes Decimal('300.00'), never a float."""


def _decimal(loader: yaml.SafeLoader, node: Node) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(text: str, *, limits: InputLimits = DEFAULT_LIMITS, decimals: bool = False) -> Any:
    """Parse one YAML document within `limits`; `decimals` reads floats as Decimal.  Raises YamlError."""
    if len(text.encode("utf-8", "surrogatepass")) > limits.yaml_bytes:
        raise YamlError(f"larger than {limits.yaml_bytes} bytes: refused")
    try:  # the reader checks the characters as it is built: a control character is refused here
        loader = (_DecimalLoader if decimals else _BoundedLoader)(text)
    except yaml.reader.ReaderError as exc:
        raise YamlError(f"not valid YAML: character #x{exc.character:04x} at offset {exc.position} is not "
                        "allowed") from exc
    loader.limits = limits
    try:
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", _where(mark)) from exc
    except RecursionError as exc:  # the depth check should come first; this is the backstop
        raise YamlError("nested too deeply: refused") from exc
    finally:
        loader.dispose()


def read_yaml_file(path: Path, *, limits: InputLimits = DEFAULT_LIMITS, decimals: bool = False) -> Any:
    """`load_yaml` of a UTF-8 file, refusing it by size before reading it.  Raises YamlError or OSError."""
    return load_yaml(read_yaml_text(path, limits=limits), limits=limits, decimals=decimals)


def read_yaml_text(path: Path, *, limits: InputLimits = DEFAULT_LIMITS) -> str:
    """The text of a YAML file, refused by size before it is read, and as UTF-8.  Raises YamlError or OSError."""
    size = path.stat().st_size
    if size > limits.yaml_bytes:
        raise YamlError(f"{size} bytes, larger than the limit of {limits.yaml_bytes}: refused")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (byte {exc.start}): save the file as UTF-8") from exc
