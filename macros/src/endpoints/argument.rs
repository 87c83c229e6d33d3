//! An argument of an endpoint method or hook, and what its type says: which extractor
//! it is, and which names `Path(..)` binds.

use syn::{Ident, Pat, Type};

pub struct Argument {
    pub pat: Pat,
    pub ty: Type,
}

impl Argument {
    /// The last segment of the type's path: `Path`, `Json`, `Query`, ...
    pub fn extractor(&self) -> Option<String> {
        match &self.ty {
            Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
    }

    /// The first generic argument of the type: `i64` in `Path<i64>`.
    pub fn inner(&self) -> Option<&Type> {
        let Type::Path(path) = &self.ty else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
    }

    /// `Path<i64>`, `Path<String>`, ...: one value, named by its binding.
    pub fn binds_scalar(&self) -> bool {
        const SCALARS: &[&str] = &[
            "i8",
            "i16",
            "i32",
            "i64",
            "u8",
            "u16",
            "u32",
            "u64",
            "usize",
            "f32",
            "f64",
            "bool",
            "String",
            "Uuid",
            "Decimal",
            "NaiveDate",
        ];
        matches!(self.inner(), Some(syn::Type::Path(p))
            if p.path.segments.last().is_some_and(|s| SCALARS.contains(&s.ident.to_string().as_str())))
    }

    /// The names `Path(id)` or `Path((author, book))` binds, if it binds plain names.
    pub fn path_bindings(&self) -> Option<Vec<Ident>> {
        let Pat::TupleStruct(outer) = &self.pat else {
            return None;
        };
        let [inner] = outer.elems.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let names = |pat: &Pat| match pat {
            Pat::Ident(ident) => Some(ident.ident.clone()),
            _ => None,
        };
        match inner {
            Pat::Tuple(tuple) => tuple.elems.iter().map(names).collect(),
            other => names(other).map(|n| vec![n]),
        }
    }
}
