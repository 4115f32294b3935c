package dev.sigil.output.destination;

/** One file of a rendered output: its name inside the destination, its content and whether it is secret (0600). */
public record OutputFile(String name, String content, boolean secret) {
    @Override
    public String toString() {
        return "OutputFile[" + name + (secret ? ", secret" : ", " + content.length() + " chars") + "]";
    }
}
