/** Internal: the commands of the {@code batpak} tool. Not an API; the tool's interface is its command line. */
package io.batpak.cli.internal;
