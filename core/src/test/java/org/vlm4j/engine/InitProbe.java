package org.vlm4j.engine;

import java.lang.reflect.RecordComponent;

/**
 * Test helper, run in a forked JVM by {@link ShimForkTest}: calls {@link Vlm4jEngine#init()} and prints every
 * {@link EngineInfo} component as {@code probe.<name>=<value>} on stdout (logs go to stderr). With the argument
 * {@code djl-first} it loads the DJL engine itself before {@code init()} (the mistake init() must detect).
 */
public final class InitProbe {

    private InitProbe() {}

    public static void main(String[] args) throws ReflectiveOperationException {
        if (args.length > 0 && args[0].equals("djl-first")) {
            ai.djl.engine.Engine.getEngine("PyTorch");
        }
        EngineInfo info = Vlm4jEngine.init();
        for (RecordComponent c : EngineInfo.class.getRecordComponents()) {
            System.out.println("probe." + c.getName() + "=" + c.getAccessor().invoke(info));
        }
        System.out.println("probe.stillEffective=" + MklShim.stillEffective());
    }
}
