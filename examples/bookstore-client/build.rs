//! Generates the client from the bookstore's committed OpenAPI 3.0.3 document (the
//! bookstore's tests keep that file equal to what the server serves): progenitor reads
//! 3.0 only.

fn main() {
    let source = "../bookstore/openapi-3.0.json";
    println!("cargo:rerun-if-changed={source}");
    let file = std::fs::File::open(source).expect("the bookstore's document");
    let spec = serde_json::from_reader(file).expect("an OpenAPI 3.0 document");
    // Builders (`client.list_books().sort(..).limit(..).send()`) rather than positional
    // methods: a list takes a parameter per filter.
    let mut settings = progenitor::GenerationSettings::default();
    settings.with_interface(progenitor::InterfaceStyle::Builder);
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor cannot generate a client from {source}: {e}"));
    let file = syn::parse2(tokens).expect("progenitor generates Rust");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("bookstore_client.rs");
    std::fs::write(out, prettyplease::unparse(&file)).expect("writes the client");
}
