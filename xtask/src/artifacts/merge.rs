//! Merges a split module's wasm files into one (issue 18: "fewer, larger chunks").
//!
//! `wasm_split_cli_support` writes a chunk file for every distinct set of split modules that
//! share code, so the app's dashboard module came as 25 files (`split_dashboard.wasm` and 24
//! `chunk_<n>.wasm`, a few of them a few hundred bytes), each its own request, compilation and
//! instantiation, compressed alone. [`merge`] puts such files into one module.
//!
//! It can, because of what the split tool writes: each file imports only the main module's
//! memory, its function table and the stack pointer (global) from `__wasm_split`; defines
//! functions; places them in the shared table with active element segments at slots reserved for
//! that file; and writes its data with active data segments at the linker's fixed addresses. No
//! exports, no start function, no memory, table or global of its own: anything else is refused
//! with an error naming it, so a new version of the split tool cannot be merged wrongly in
//! silence. A call from one file into another goes through a shim, `local.get` of each parameter,
//! `i32.const <slot>`, `call_indirect`; in the merged module a shim whose slot the module fills
//! itself becomes a direct `call` of that function (which wasm-opt then inlines), since wasm-opt
//! cannot see through a slot of an imported table.
//!
//! Written here rather than taken from a tool: binaryen's `wasm-merge` (in the npm `binaryen`
//! package) links modules by their imports and exports, and keeps each input's imports, so the
//! result imported the same memory once per input (a multi-memory module); these files share
//! nothing but imports and table slots. The wasm is read with `wasmparser` and written with
//! `wasm-encoder`'s re-encoder (the crates the split tool itself uses), and the result is
//! validated before it is written.

use std::collections::HashMap;

use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{
    CodeSection, DataCountSection, DataSection, ElementSection, EntityType, Function,
    FunctionSection, ImportSection, Module, TypeSection,
};
use wasmparser::{
    CompositeInnerType, Data, Element, ElementItems, ElementKind, FuncType, FunctionBody, Import,
    Operator, Parser, Payload, TypeRef, ValType, Validator,
};

/// What [`merge`] did, for the build's log.
#[derive(Debug, PartialEq, Eq)]
pub struct Merged {
    /// The merged module.
    pub wasm: Vec<u8>,
    /// Functions in all inputs.
    pub functions: usize,
    /// Shims turned into direct calls.
    pub direct_calls: usize,
}

/// One input file, as read.
struct Part<'a> {
    name: &'a str,
    types: Vec<FuncType>,
    imports: Vec<Import<'a>>,
    /// The type of each defined function.
    functions: Vec<u32>,
    elements: Vec<Element<'a>>,
    data: Vec<Data<'a>>,
    bodies: Vec<FunctionBody<'a>>,
    data_count: bool,
    /// Function names from the `name` section (index, name), for size breakdowns.
    names: Vec<(u32, &'a str)>,
}

/// Merges `parts` (a name for errors and the file's bytes) into one module; see the module docs
/// for what the inputs may contain.
pub fn merge(parts: &[(&str, &[u8])]) -> Result<Merged, String> {
    let parts = parts
        .iter()
        .map(|(name, bytes)| read(name, bytes))
        .collect::<Result<Vec<_>, _>>()?;

    // Types, deduplicated: equal function types get one index.
    let mut types: Vec<FuncType> = Vec::new();
    let mut type_ids: HashMap<FuncType, u32> = HashMap::new();
    let mut part_types: Vec<Vec<u32>> = Vec::new();
    for part in &parts {
        part_types.push(
            part.types
                .iter()
                .map(|ty| {
                    *type_ids.entry(ty.clone()).or_insert_with(|| {
                        types.push(ty.clone());
                        types.len() as u32 - 1
                    })
                })
                .collect(),
        );
    }

    // Imports, deduplicated by module and name; each kind has its own index space.
    let mut imports: Vec<(String, String, TypeRef)> = Vec::new();
    let mut maps: Vec<Remap> = Vec::new();
    let (mut func_base, mut elem_base, mut data_base) = (0u32, 0u32, 0u32);
    for (part, types) in parts.iter().zip(part_types) {
        let mut remap = Remap {
            part: part.name.to_owned(),
            types,
            func_base,
            elem_base,
            data_base,
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
        };
        for import in &part.imports {
            let existing = imports
                .iter()
                .position(|(m, n, _)| m == import.module && n == import.name);
            let index = match existing {
                Some(at) => {
                    imports[at].2 = same_import(&imports[at].2, &import.ty).ok_or_else(|| {
                        format!(
                            "{}: import {}.{} differs from another file's",
                            part.name, import.module, import.name
                        )
                    })?;
                    at
                }
                None => {
                    imports.push((import.module.to_owned(), import.name.to_owned(), import.ty));
                    imports.len() - 1
                }
            };
            let kind_index = imports[..index]
                .iter()
                .filter(|(_, _, ty)| same_kind(ty, &import.ty))
                .count() as u32;
            match import.ty {
                TypeRef::Memory(_) => remap.memories.push(kind_index),
                TypeRef::Table(_) => remap.tables.push(kind_index),
                TypeRef::Global(_) => remap.globals.push(kind_index),
                _ => unreachable!("read() refuses other imports"),
            }
        }
        func_base += part.functions.len() as u32;
        elem_base += part.elements.len() as u32;
        data_base += part.data.len() as u32;
        maps.push(remap);
    }

    // Which function each table slot gets, from the active element segments.
    let mut slots: HashMap<(u32, u32), Option<u32>> = HashMap::new();
    for (part, remap) in parts.iter().zip(&maps) {
        for element in &part.elements {
            let ElementKind::Active {
                table_index,
                offset_expr,
            } = &element.kind
            else {
                continue;
            };
            let table = remap.table(table_index.unwrap_or(0))?;
            let (Some(offset), ElementItems::Functions(items)) =
                (i32_const(offset_expr), &element.items)
            else {
                continue;
            };
            for (i, func) in items.clone().into_iter().enumerate() {
                let func = func.map_err(|e| format!("{}: {e}", part.name))?;
                let slot = (table, offset.wrapping_add(i as u32));
                let target = remap.func_base + func;
                // A slot two segments fill is left alone (an indirect call stays one).
                slots
                    .entry(slot)
                    .and_modify(|t| {
                        if *t != Some(target) {
                            *t = None
                        }
                    })
                    .or_insert(Some(target));
            }
        }
    }
    let function_types: Vec<u32> = parts
        .iter()
        .zip(&maps)
        .flat_map(|(part, remap)| part.functions.iter().map(|&t| remap.types[t as usize]))
        .collect();

    let mut type_section = TypeSection::new();
    for ty in &types {
        let params = ty.params().iter().map(|&t| val_type(t)).collect::<Vec<_>>();
        let results = ty
            .results()
            .iter()
            .map(|&t| val_type(t))
            .collect::<Vec<_>>();
        type_section.ty().function(params, results);
    }
    let mut import_section = ImportSection::new();
    for (module, name, ty) in &imports {
        let ty: EntityType = (*ty)
            .try_into()
            .map_err(|e| format!("import {module}.{name}: {e:?}"))?;
        import_section.import(module, name, ty);
    }
    let mut function_section = FunctionSection::new();
    for &ty in &function_types {
        function_section.function(ty);
    }
    let (mut elements, mut code, mut data) = (
        ElementSection::new(),
        CodeSection::new(),
        DataSection::new(),
    );
    let mut direct_calls = 0;
    for (part, remap) in parts.iter().zip(&mut maps) {
        for element in &part.elements {
            remap
                .parse_element(&mut elements, element.clone())
                .map_err(|e| format!("{}: element segment: {e}", part.name))?;
        }
        for (i, body) in part.bodies.iter().enumerate() {
            let ty = &types[remap.types[part.functions[i] as usize] as usize];
            match shim_target(body, ty, remap, &slots, &function_types)? {
                Some(target) => {
                    let mut direct = Function::new([]);
                    for param in 0..ty.params().len() as u32 {
                        direct.instructions().local_get(param);
                    }
                    direct.instructions().call(target).end();
                    code.function(&direct);
                    direct_calls += 1;
                }
                None => remap
                    .parse_function_body(&mut code, body.clone())
                    .map_err(|e| format!("{}: function {i}: {e}", part.name))?,
            }
        }
        for datum in &part.data {
            remap
                .parse_data(&mut data, datum.clone())
                .map_err(|e| format!("{}: data segment: {e}", part.name))?;
        }
    }

    let mut module = Module::new();
    module.section(&type_section).section(&import_section);
    module.section(&function_section);
    if !elements.is_empty() {
        module.section(&elements);
    }
    if parts.iter().any(|p| p.data_count) {
        module.section(&DataCountSection { count: data.len() });
    }
    module.section(&code);
    if !data.is_empty() {
        module.section(&data);
    }
    let mut names = wasm_encoder::NameMap::new();
    for (part, remap) in parts.iter().zip(&maps) {
        let mut part_names = part.names.clone();
        part_names.sort_unstable();
        for (index, name) in part_names {
            names.append(remap.func_base + index, name);
        }
    }
    if !names.is_empty() {
        let mut section = wasm_encoder::NameSection::new();
        section.functions(&names);
        module.section(&section);
    }
    let wasm = module.finish();
    Validator::new()
        .validate_all(&wasm)
        .map_err(|e| format!("the merged module is not valid wasm: {e}"))?;
    Ok(Merged {
        wasm,
        functions: function_types.len(),
        direct_calls,
    })
}

/// Reads one input, refusing what [`merge`] does not handle.
fn read<'a>(name: &'a str, bytes: &'a [u8]) -> Result<Part<'a>, String> {
    let mut part = Part {
        name,
        types: Vec::new(),
        imports: Vec::new(),
        functions: Vec::new(),
        elements: Vec::new(),
        data: Vec::new(),
        bodies: Vec::new(),
        data_count: false,
        names: Vec::new(),
    };
    let refuse = |what: &str| {
        Err(format!(
            "{name} has {what}, which the merge does not handle"
        ))
    };
    let err = |e: wasmparser::BinaryReaderError| format!("{name}: {e}");
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(err)? {
            Payload::Version { encoding, .. } => {
                if encoding != wasmparser::Encoding::Module {
                    return refuse("a component");
                }
            }
            Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(err)?;
                    if group.is_explicit_rec_group() {
                        return refuse("a recursive type group");
                    }
                    for sub in group.into_types() {
                        match sub.composite_type.inner {
                            CompositeInnerType::Func(ty)
                                if sub.is_final
                                    && sub.supertype_idxs.is_empty()
                                    && !sub.composite_type.shared
                                    && ty.params().iter().chain(ty.results()).all(plain) =>
                            {
                                part.types.push(ty)
                            }
                            _ => return refuse("a type other than a plain function type"),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(err)?;
                    match import.ty {
                        TypeRef::Memory(_) | TypeRef::Table(_) | TypeRef::Global(_) => {
                            part.imports.push(import)
                        }
                        _ => return refuse(&format!("an import of {}", import.name)),
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    part.functions.push(ty.map_err(err)?);
                }
            }
            Payload::ElementSection(reader) => {
                for element in reader {
                    part.elements.push(element.map_err(err)?);
                }
            }
            Payload::DataSection(reader) => {
                for datum in reader {
                    part.data.push(datum.map_err(err)?);
                }
            }
            Payload::DataCountSection { .. } => part.data_count = true,
            Payload::CodeSectionStart { .. } | Payload::End(_) => {}
            Payload::CodeSectionEntry(body) => part.bodies.push(body),
            // Function names are kept (wasm-opt drops them from the files served; the size
            // breakdown reads them before); producers and the rest are dropped. A name
            // subsection this wasmparser does not know is skipped.
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    for name in reader.into_iter().flatten() {
                        if let wasmparser::Name::Function(map) = name {
                            part.names
                                .extend(map.into_iter().flatten().map(|n| (n.index, n.name)));
                        }
                    }
                }
            }
            // The split tool writes some of these sections empty.
            Payload::TableSection(r) if r.count() > 0 => return refuse("a table of its own"),
            Payload::MemorySection(r) if r.count() > 0 => return refuse("a memory of its own"),
            Payload::GlobalSection(r) if r.count() > 0 => return refuse("globals of its own"),
            Payload::TagSection(r) if r.count() > 0 => return refuse("tags"),
            Payload::ExportSection(r) if r.count() > 0 => return refuse("exports"),
            Payload::TableSection(_)
            | Payload::MemorySection(_)
            | Payload::GlobalSection(_)
            | Payload::TagSection(_)
            | Payload::ExportSection(_) => {}
            Payload::StartSection { .. } => return refuse("a start function"),
            _ => return refuse("a section of an unknown kind"),
        }
    }
    if part.functions.len() != part.bodies.len() {
        return Err(format!("{name}: function and code sections disagree"));
    }
    Ok(part)
}

/// Whether a value type names no type index (so deduplicating function types stays exact).
fn plain(ty: &ValType) -> bool {
    match ty {
        ValType::Ref(r) => !r.is_concrete_type_ref(),
        _ => true,
    }
}

fn val_type(ty: ValType) -> wasm_encoder::ValType {
    wasm_encoder::reencode::RoundtripReencoder
        .val_type(ty)
        .expect("plain() checked it names no type index")
}

/// The import two files both declare: the same kind and type (a memory or table with the larger
/// minimum, which the main module's satisfies, as both files instantiated against it).
fn same_import(a: &TypeRef, b: &TypeRef) -> Option<TypeRef> {
    match (a, b) {
        (TypeRef::Memory(x), TypeRef::Memory(y))
            if (x.memory64, x.shared, x.maximum) == (y.memory64, y.shared, y.maximum) =>
        {
            Some(if x.initial >= y.initial { *a } else { *b })
        }
        (TypeRef::Table(x), TypeRef::Table(y))
            if (x.element_type, x.table64, x.maximum) == (y.element_type, y.table64, y.maximum) =>
        {
            Some(if x.initial >= y.initial { *a } else { *b })
        }
        (TypeRef::Global(x), TypeRef::Global(y)) if x == y => Some(*a),
        _ => None,
    }
}

fn same_kind(a: &TypeRef, b: &TypeRef) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// `i32.const K` as an offset expression's K.
fn i32_const(expr: &wasmparser::ConstExpr) -> Option<u32> {
    let mut ops = expr.get_operators_reader();
    let Ok(Operator::I32Const { value }) = ops.read() else {
        return None;
    };
    matches!(ops.read(), Ok(Operator::End)).then_some(value as u32)
}

/// The merged function a shim (`local.get 0 … n-1`, `i32.const K`, `call_indirect` of its own
/// type, nothing else) calls, when the merged module fills slot K itself with a function of that
/// type.
fn shim_target(
    body: &FunctionBody,
    ty: &FuncType,
    remap: &Remap,
    slots: &HashMap<(u32, u32), Option<u32>>,
    function_types: &[u32],
) -> Result<Option<u32>, String> {
    let err = |e: wasmparser::BinaryReaderError| format!("{}: {e}", remap.part);
    if body.get_locals_reader().map_err(err)?.get_count() != 0 {
        return Ok(None);
    }
    let mut ops = body.get_operators_reader().map_err(err)?;
    for param in 0..ty.params().len() as u32 {
        match ops.read() {
            Ok(Operator::LocalGet { local_index }) if local_index == param => {}
            _ => return Ok(None),
        }
    }
    let Ok(Operator::I32Const { value }) = ops.read() else {
        return Ok(None);
    };
    let Ok(Operator::CallIndirect {
        type_index,
        table_index,
    }) = ops.read()
    else {
        return Ok(None);
    };
    if !matches!(ops.read(), Ok(Operator::End)) || !ops.eof() {
        return Ok(None);
    }
    let call_type = remap.types.get(type_index as usize).copied();
    let table = remap.table(table_index)?;
    Ok(match slots.get(&(table, value as u32)) {
        Some(&Some(target)) if Some(function_types[target as usize]) == call_type => Some(target),
        _ => None,
    })
}

/// One input's indices in the merged module.
struct Remap {
    part: String,
    types: Vec<u32>,
    func_base: u32,
    elem_base: u32,
    data_base: u32,
    memories: Vec<u32>,
    tables: Vec<u32>,
    globals: Vec<u32>,
}

impl Remap {
    fn table(&self, index: u32) -> Result<u32, String> {
        self.tables
            .get(index as usize)
            .copied()
            .ok_or_else(|| format!("{}: no table {index}", self.part))
    }

    fn lookup(&self, what: &str, map: &[u32], index: u32) -> Result<u32, ReencodeError<String>> {
        map.get(index as usize)
            .copied()
            .ok_or_else(|| ReencodeError::UserError(format!("{}: no {what} {index}", self.part)))
    }
}

impl Reencode for Remap {
    type Error = String;

    fn type_index(&mut self, ty: u32) -> Result<u32, ReencodeError<String>> {
        self.lookup("type", &self.types, ty)
    }
    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<String>> {
        Ok(self.func_base + func)
    }
    fn element_index(&mut self, element: u32) -> Result<u32, ReencodeError<String>> {
        Ok(self.elem_base + element)
    }
    fn data_index(&mut self, data: u32) -> Result<u32, ReencodeError<String>> {
        Ok(self.data_base + data)
    }
    fn memory_index(&mut self, memory: u32) -> Result<u32, ReencodeError<String>> {
        self.lookup("memory", &self.memories, memory)
    }
    fn table_index(&mut self, table: u32) -> Result<u32, ReencodeError<String>> {
        self.lookup("table", &self.tables, table)
    }
    fn global_index(&mut self, global: u32) -> Result<u32, ReencodeError<String>> {
        self.lookup("global", &self.globals, global)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use wasm_encoder::{ConstExpr, Elements, GlobalType, MemoryType, RefType, TableType};

    /// A file the way the split tool writes one: the three shared imports (a table of
    /// `table_min` slots), `bodies` as functions of type (i32) -> i32, the first `placed` of them
    /// in the table from slot `slot`, and `bytes` at address `address`.
    pub(crate) fn chunk(
        table_min: u64,
        bodies: &[Function],
        placed: usize,
        slot: i32,
        address: i32,
        bytes: &[u8],
    ) -> Vec<u8> {
        let mut types = TypeSection::new();
        types
            .ty()
            .function([wasm_encoder::ValType::I32], [wasm_encoder::ValType::I32]);
        let mut imports = ImportSection::new();
        let memory = MemoryType {
            minimum: 17,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        };
        imports.import("__wasm_split", "memory", memory);
        let table = TableType {
            element_type: RefType::FUNCREF,
            minimum: table_min,
            maximum: None,
            table64: false,
            shared: false,
        };
        imports.import("__wasm_split", "__indirect_function_table", table);
        let global = GlobalType {
            val_type: wasm_encoder::ValType::I32,
            mutable: true,
            shared: false,
        };
        imports.import("__wasm_split", "__wasm_split_shared0", global);
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for body in bodies {
            functions.function(0);
            code.function(body);
        }
        let mut elements = ElementSection::new();
        let placed: Vec<u32> = (0..placed as u32).collect();
        elements.active(
            None,
            &ConstExpr::i32_const(slot),
            Elements::Functions(placed.into()),
        );
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(address), bytes.iter().copied());
        // Functions named `f<address>_<i>`, as the linker names them for the size breakdown.
        let mut names = wasm_encoder::NameMap::new();
        for i in 0..bodies.len() as u32 {
            names.append(i, &format!("f{address}_{i}"));
        }
        let mut name_section = wasm_encoder::NameSection::new();
        name_section.functions(&names);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&elements)
            .section(&code)
            .section(&data)
            .section(&name_section);
        module.finish()
    }

    /// `local.get 0; i32.const slot; call_indirect (i32) -> i32`: a call into another file.
    pub(crate) fn shim(slot: i32) -> Function {
        let mut f = Function::new([]);
        f.instructions()
            .local_get(0)
            .i32_const(slot)
            .call_indirect(0, 0)
            .end();
        f
    }

    /// `x + add`, using the stack-pointer global so that global indices are exercised.
    pub(crate) fn adder(add: i32) -> Function {
        let mut f = Function::new([]);
        f.instructions()
            .local_get(0)
            .i32_const(add)
            .i32_add()
            .global_get(0)
            .drop()
            .end();
        f
    }

    /// Each function's first call target and whether it calls through the table.
    fn calls(wasm: &[u8]) -> Vec<(Option<u32>, bool)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut ops = body.get_operators_reader().unwrap();
                let (mut direct, mut indirect) = (None, false);
                while !ops.eof() {
                    match ops.read().unwrap() {
                        Operator::Call { function_index } => direct = Some(function_index),
                        Operator::CallIndirect { .. } => indirect = true,
                        _ => {}
                    }
                }
                out.push((direct, indirect));
            }
        }
        out
    }

    #[test]
    fn files_merge_into_one_module_with_shared_imports_and_direct_calls() {
        // a: a shim to slot 20 (b's adder) and its own adder at slot 10; b: its adder at slot
        // 20 and a shim to slot 30, which neither file fills (it stays indirect).
        let a = chunk(40, &[adder(1), shim(20)], 1, 10, 100, b"a");
        let b = chunk(48, &[adder(2), shim(30)], 1, 20, 200, b"bb");
        let merged = merge(&[("a", &a), ("b", &b)]).unwrap();
        assert_eq!((merged.functions, merged.direct_calls), (4, 1));
        // Functions: a's at 0 and 1, b's at 2 and 3: a's shim now calls b's adder directly.
        assert_eq!(
            calls(&merged.wasm),
            [(None, false), (Some(2), false), (None, false), (None, true)]
        );
        let mut imports = Vec::new();
        let mut segments = Vec::new();
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(&merged.wasm) {
            match payload.unwrap() {
                Payload::CustomSection(c) => {
                    if let wasmparser::KnownCustom::Name(r) = c.as_known() {
                        for name in r {
                            if let wasmparser::Name::Function(map) = name.unwrap() {
                                names.extend(map.into_iter().map(|n| {
                                    let n = n.unwrap();
                                    (n.index, n.name.to_owned())
                                }));
                            }
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    imports.extend(r.into_imports().map(|i| {
                        let i = i.unwrap();
                        (i.name.to_owned(), i.ty)
                    }));
                }
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e.unwrap();
                        let ElementKind::Active { offset_expr, .. } = e.kind else {
                            panic!("passive")
                        };
                        let ElementItems::Functions(items) = e.items else {
                            panic!("expressions")
                        };
                        let items: Vec<u32> = items.into_iter().map(Result::unwrap).collect();
                        segments.push((i32_const(&offset_expr).unwrap(), items));
                    }
                }
                _ => {}
            }
        }
        // One of each import; the table with the larger minimum.
        assert_eq!(imports.len(), 3, "{imports:?}");
        assert!(matches!(imports[1].1, TypeRef::Table(t) if t.initial == 48));
        assert_eq!(segments, [(10, vec![0]), (20, vec![2])]);
        // The functions keep their names under their new indices.
        let expected: Vec<(u32, String)> =
            [(0, "f100_0"), (1, "f100_1"), (2, "f200_0"), (3, "f200_1")]
                .map(|(i, n)| (i, n.to_owned()))
                .to_vec();
        assert_eq!(names, expected);
    }

    #[test]
    fn a_shim_to_a_slot_two_files_fill_stays_indirect() {
        let a = chunk(40, &[adder(1), shim(20)], 1, 10, 100, b"a");
        let b = chunk(40, &[adder(2)], 1, 20, 200, b"b");
        let c = chunk(40, &[adder(3)], 1, 20, 300, b"c");
        let merged = merge(&[("a", &a), ("b", &b), ("c", &c)]).unwrap();
        assert_eq!(merged.direct_calls, 0);
    }

    #[test]
    fn what_the_merge_does_not_handle_is_refused_by_name() {
        let mut module = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut exports = wasm_encoder::ExportSection::new();
        exports.export("f", wasm_encoder::ExportKind::Func, 0);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instructions().end();
        code.function(&f);
        module
            .section(&types)
            .section(&functions)
            .section(&exports)
            .section(&code);
        let with_export = module.finish();
        let ok = chunk(40, &[adder(1)], 1, 10, 100, b"a");
        let err = merge(&[("ok", &ok), ("chunk_9.wasm", &with_export)]).unwrap_err();
        assert!(err.contains("chunk_9.wasm has exports"), "{err}");
        assert!(merge(&[("junk", b"\0asm")])
            .unwrap_err()
            .starts_with("junk:"));
    }
}
