//! The load-and-inflate floor of the speed benchmark: for each PDF named on the command line, the
//! file is read, parsed by lopdf (every object) and every stream decompressed, and nothing else.
//! In: paths. Out: one line, `files pages streams bytes_inflated`, on stdout (the bench measures
//! its CPU time). Not here: text, layout or any stage of the pipeline.

fn main() {
    let (mut files, mut pages, mut streams, mut inflated) = (0usize, 0usize, 0usize, 0usize);
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{path}: cannot read");
            continue;
        };
        let Ok(doc) = lopdf::Document::load_mem(&bytes) else {
            eprintln!("{path}: lopdf cannot load it");
            continue;
        };
        files += 1;
        pages += doc.get_pages().len();
        for object in doc.objects.values() {
            if let lopdf::Object::Stream(s) = object {
                streams += 1;
                inflated += s
                    .decompressed_content()
                    .map(|c| c.len())
                    .unwrap_or(s.content.len());
            }
        }
    }
    println!("{files} {pages} {streams} {inflated}");
}
