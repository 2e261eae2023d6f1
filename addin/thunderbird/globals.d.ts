// The WebExtension namespaces Thunderbird gives its pages and scripts, typed loosely: the
// code checks what it reads from them, and the tests run it against a stand-in.
declare var messenger: any;
declare var browser: any;
