<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AgencyRules</name>
    <message>
        <source>修改只用于此后新登记的记录：已登记隐患的整改期限和报告时限、已签发文书的文号、已作出的风险评定不因修改而改变；首次风险识别期限和检查频次从修改时起用于提醒和自查。档案保存年限不少于竣工后五年，只能延长，延长后已归档项目的保存期限随之延长。每项修改都记入审计日志。</source>
        <translation>A change applies to records entered after it: the deadlines and report times of hazards already recorded, the numbers of documents already signed and assessments already made stay as they are; the first-identification allowance and the visit frequencies are used for reminders and the self-check from the change on. Archives are kept at least five years after completion; the period can only be lengthened, and lengthening it extends the items already filed. Every change is written to the audit log.</translation>
    </message>
    <message>
        <source>一级</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <source>二级</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <source>三级</source>
        <translation>Level 3</translation>
    </message>
    <message>
        <source>四级</source>
        <translation>Level 4</translation>
    </message>
    <message>
        <source>超危大工程施工中</source>
        <translation>Extra-large dangerous work under way</translation>
    </message>
    <message>
        <source>危大工程施工中</source>
        <translation>Dangerous work under way</translation>
    </message>
    <message>
        <source>存在未闭合一级隐患</source>
        <translation>Open level 1 hazard</translation>
    </message>
    <message>
        <source>拒不整改或拖延整改</source>
        <translation>Rectification refused or delayed</translation>
    </message>
    <message>
        <source>近期发生生产安全事故</source>
        <translation>Recent accident</translation>
    </message>
    <message>
        <source> 天</source>
        <translation> days</translation>
    </message>
    <message>
        <source>当日</source>
        <translation>Same day</translation>
    </message>
    <message>
        <source> 米</source>
        <translation> m</translation>
    </message>
    <message>
        <source> 项</source>
        <translation> items</translation>
    </message>
    <message>
        <source> 个月</source>
        <translation> months</translation>
    </message>
    <message>
        <source> 年</source>
        <translation> years</translation>
    </message>
    <message>
        <source>如 绍安衡风控；不填写时用机构简称</source>
        <translation>The agency&apos;s code, e.g. SAH; empty: its short name</translation>
    </message>
    <message>
        <source>隐患排查与报告</source>
        <translation>Hazards and reports</translation>
    </message>
    <message>
        <source>默认整改期限</source>
        <translation>Default rectification deadline</translation>
    </message>
    <message>
        <source>依据：明确隐患整改责任、措施、时限、预案</source>
        <translation>Basis: set responsibility, measures, time limit and contingency for each hazard</translation>
    </message>
    <message>
        <source>首次风险识别期限（合同签订后）</source>
        <translation>First risk identification (after the contract)</translation>
    </message>
    <message>
        <source>依据：合同签订后，风控机构应及时对项目开展首次风险识别和隐患排查</source>
        <translation>Basis: after the contract is signed, the agency promptly carries out the first risk identification and hazard inspection</translation>
    </message>
    <message>
        <source>较严重二级隐患报告期限</source>
        <translation>Report window for serious level 2 hazards</translation>
    </message>
    <message>
        <source>依据：对可能引发安全事故的严重隐患，上报承保机构和属地建设主管部门</source>
        <translation>Basis: serious hazards that may cause an accident are reported to the insurer and the local construction authority</translation>
    </message>
    <message>
        <source>风险评估与服务频次</source>
        <translation>Risk assessment and visit frequency</translation>
    </message>
    <message>
        <source>检查频次（每隔）</source>
        <translation>Visit every</translation>
    </message>
    <message>
        <source>依据：根据风险等级制定服务形式和频次等内容</source>
        <translation>Basis: the form and frequency of service are set by risk level</translation>
    </message>
    <message>
        <source>依据：依据风险识别和隐患排查结果对工程项目进行安全风险评估，摸清项目风险等级底数</source>
        <translation>Basis: assess each project&apos;s safety risk from the identification and inspection results and know every project&apos;s risk level</translation>
    </message>
    <message>
        <source>基坑开挖深度</source>
        <translation>Excavation depth</translation>
    </message>
    <message>
        <source>不小于</source>
        <translation>at least</translation>
    </message>
    <message>
        <source>小于</source>
        <translation>below</translation>
    </message>
    <message>
        <source>未闭合隐患数（每 1 万平方米）</source>
        <translation>Open hazards (per 10,000 m²)</translation>
    </message>
    <message>
        <source>死亡或较大事故后保持高风险</source>
        <translation>High risk kept after a fatal or larger accident</translation>
    </message>
    <message>
        <source>一般事故影响期</source>
        <translation>Effect of a general accident</translation>
    </message>
    <message>
        <source>档案与文号</source>
        <translation>Archives and document numbers</translation>
    </message>
    <message>
        <source>档案保存年限（竣工后）</source>
        <translation>Archive retention (after completion)</translation>
    </message>
    <message>
        <source>依据：纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准</source>
        <translation>Basis: paper archives are kept at least five years after completion; destruction needs the insurer&apos;s approval</translation>
    </message>
    <message>
        <source>机构代字（文号开头）</source>
        <translation>Agency code (start of document numbers)</translation>
    </message>
    <message>
        <source>文号为 机构代字〔年份〕序号号，如 绍安衡风控整改〔2026〕7号</source>
        <translation>Document numbers read: agency code, kind, [year], number</translation>
    </message>
    <message>
        <source>保存规则</source>
        <translation>Save rules</translation>
    </message>
    <message>
        <source>放弃修改</source>
        <translation>Discard changes</translation>
    </message>
    <message>
        <source>从文件导入评定规则…</source>
        <translation>Import grading from a file…</translation>
    </message>
    <message>
        <source>Excel（“项目”“取值”两列）或 JSON 文件；与此处保存时同样检查，有任何问题则不作修改</source>
        <translation>An Excel file (an item column and a value column with the Chinese headings the documentation gives) or a JSON file; checked as a save here is, and nothing changes if anything is wrong</translation>
    </message>
    <message>
        <source>下载模板…</source>
        <translation>Download template…</translation>
    </message>
    <message>
        <source>写出含现行评定规则取值的 Excel 模板；修改“取值”列后用“从文件导入评定规则…”导入</source>
        <translation>Write an Excel template holding the current grading thresholds; edit its value column, then import it with “Import grading from a file…”</translation>
    </message>
    <message>
        <source>机构规则</source>
        <translation>Agency rules</translation>
    </message>
    <message>
        <source>已保存 {n} 项规则，用于此后新登记的记录。</source>
        <translation>{n} rule(s) saved; they apply to records entered from now on.</translation>
    </message>
    <message>
        <source>规则没有修改。</source>
        <translation>No rule was changed.</translation>
    </message>
    <message>
        <source>选择评定规则文件</source>
        <translation>Choose a grading file</translation>
    </message>
    <message>
        <source>已从 {file} 读取 {n} 项评定规则取值，{changed}。</source>
        <translation>Read {n} grading value(s) from {file}: {changed}.</translation>
    </message>
    <message>
        <source>已保存，用于此后的风险评估</source>
        <translation>saved, used by assessments from now on</translation>
    </message>
    <message>
        <source>与现行规则相同，未作修改</source>
        <translation>the same as the current rules, nothing changed</translation>
    </message>
    <message>
        <source>保存评定规则模板</source>
        <translation>Save the grading template</translation>
    </message>
    <message>
        <source>评定规则模板.xlsx</source>
        <translation>grading template.xlsx</translation>
    </message>
    <message>
        <source>无法写入 {path}：{reason}</source>
        <translation>Cannot write {path}: {reason}</translation>
    </message>
    <message>
        <source>已写出评定规则模板（含现行取值）：{path}
修改“取值”列后用“从文件导入评定规则…”导入。</source>
        <translation>The grading template (with the current values) was written: {path}
Edit its value column, then import it with “Import grading from a file…”.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>安责险风控服务管理系统</source>
        <translation>Construction Safety Risk-Control Service Manager</translation>
    </message>
    <message>
        <source>{message}

数据库：{where}</source>
        <translation>{message}

Database: {where}</translation>
    </message>
    <message>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
    <message>
        <source>正在升级数据库：新版本首次启动时转换已有记录，可能需要几十秒。请勿关闭程序或电脑…</source>
        <translation>Upgrading the database: the first start of a new version converts the records kept so far, which can take a minute. Do not close the program or turn off the computer…</translation>
    </message>
    <message>
        <source>升级数据库</source>
        <translation>Upgrading the database</translation>
    </message>
    <message>
        <source>恢复备份</source>
        <translation>Restore backup</translation>
    </message>
</context>
<context>
    <name>ArchiveDialogs</name>
    <message>
        <source>纸质</source>
        <translation>Paper</translation>
    </message>
    <message>
        <source>电子</source>
        <translation>Electronic</translation>
    </message>
    <message>
        <source>服务合同</source>
        <translation>Service contract</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plan</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection records</translation>
    </message>
    <message>
        <source>整改通知及回复</source>
        <translation>Notices and replies</translation>
    </message>
    <message>
        <source>培训记录</source>
        <translation>Training records</translation>
    </message>
    <message>
        <source>演练记录</source>
        <translation>Drill records</translation>
    </message>
    <message>
        <source>期间报告</source>
        <translation>Period reports</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>批复扫描件 (*.pdf *.jpg *.jpeg *.png *.heic)</source>
        <translation>Scanned approval (*.pdf *.jpg *.jpeg *.png *.heic)</translation>
    </message>
    <message>
        <source>…… 另有 {n} 件</source>
        <translation>… and {n} more</translation>
    </message>
    <message>
        <source>新增档案</source>
        <translation>New archive item</translation>
    </message>
    <message>
        <source>修改档案：{title}</source>
        <translation>Edit archive item: {title}</translation>
    </message>
    <message>
        <source>未填</source>
        <translation>Not given</translation>
    </message>
    <message>
        <source>如：档案室 3 号柜第 2 层</source>
        <translation>e.g. archive room, cabinet 3, shelf 2</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>题名</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>载体</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>盒号</source>
        <translation>Box no.</translation>
    </message>
    <message>
        <source>存放位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>归档日期</source>
        <translation>Filed on</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>申请销毁档案（{n} 件）</source>
        <translation>Request destruction ({n} items)</translation>
    </message>
    <message>
        <source>拟销毁</source>
        <translation>To destroy</translation>
    </message>
    <message>
        <source>项目竣工后保存期限已届满，申请按规定销毁。</source>
        <translation>The retention period after project completion has ended; destruction is requested as the rules provide.</translation>
    </message>
    <message>
        <source>销毁理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>申请提交后须取得承保机构书面批复，登记批复扫描件后方可销毁。</source>
        <translation>After the request, the insurer must approve in writing; items may be destroyed only once the scanned approval is recorded.</translation>
    </message>
    <message>
        <source>登记承保机构批复：第 {n} 号申请</source>
        <translation>Record the insurer&apos;s approval: request no. {n}</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>如：人保绍〔2026〕18号</source>
        <translation>e.g. PICC-SX [2026] 18</translation>
    </message>
    <message>
        <source>未选择（必须上传书面批复扫描件）</source>
        <translation>None chosen (the scanned written approval is required)</translation>
    </message>
    <message>
        <source>选择文件(&amp;B)…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>审批人</source>
        <translation>Approved by</translation>
    </message>
    <message>
        <source>审批时间</source>
        <translation>Approved at</translation>
    </message>
    <message>
        <source>批复文号</source>
        <translation>Approval reference</translation>
    </message>
    <message>
        <source>批复扫描件</source>
        <translation>Scanned approval</translation>
    </message>
    <message>
        <source>选择批复扫描件</source>
        <translation>Choose the scanned approval</translation>
    </message>
    <message>
        <source>登记承保机构驳回：第 {n} 号申请</source>
        <translation>Record the insurer&apos;s refusal: request no. {n}</translation>
    </message>
    <message>
        <source>驳回意见</source>
        <translation>Insurer&apos;s opinion</translation>
    </message>
    <message>
        <source>登记档案销毁（{n} 件）</source>
        <translation>Record destruction ({n} items)</translation>
    </message>
    <message>
        <source>销毁档案</source>
        <translation>Items</translation>
    </message>
    <message>
        <source>销毁方式、监销人等</source>
        <translation>Method, witness, etc.</translation>
    </message>
    <message>
        <source>销毁时间</source>
        <translation>Destroyed at</translation>
    </message>
    <message>
        <source>销毁说明</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>ArchivePage</name>
    <message>
        <source>待承保机构审批</source>
        <translation>Awaiting insurer</translation>
    </message>
    <message>
        <source>已批准</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>已驳回</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>已销毁</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>全部保存期限</source>
        <translation>Any retention</translation>
    </message>
    <message>
        <source>90 天内到期</source>
        <translation>Ends within 90 days</translation>
    </message>
    <message>
        <source>已过保存期限</source>
        <translation>Retention ended</translation>
    </message>
    <message>
        <source>未竣工</source>
        <translation>Not completed</translation>
    </message>
    <message>
        <source>全部项目</source>
        <translation>All projects</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>搜索题名、类别、盒号或存放位置</source>
        <translation>Search title, type, box or location</translation>
    </message>
    <message>
        <source>显示全部档案</source>
        <translation>Show all items</translation>
    </message>
    <message>
        <source>新增档案(&amp;N)…</source>
        <translation>&amp;New item…</translation>
    </message>
    <message>
        <source>修改(&amp;E)…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>申请销毁(&amp;R)…</source>
        <translation>&amp;Request destruction…</translation>
    </message>
    <message>
        <source>登记销毁(&amp;X)…</source>
        <translation>Record destruction (&amp;X)…</translation>
    </message>
    <message>
        <source>打印档案目录(&amp;P)</source>
        <translation>&amp;Print catalogue</translation>
    </message>
    <message>
        <source>登记批复(&amp;A)…</source>
        <translation>Record &amp;approval…</translation>
    </message>
    <message>
        <source>登记驳回(&amp;J)…</source>
        <translation>Record refusal (&amp;J)…</translation>
    </message>
    <message>
        <source>按申请登记销毁(&amp;D)…</source>
        <translation>Record &amp;destruction of request…</translation>
    </message>
    <message>
        <source>打印销毁审批表(&amp;F)</source>
        <translation>Print approval &amp;form</translation>
    </message>
    <message>
        <source>档案台账</source>
        <translation>Archive ledger</translation>
    </message>
    <message>
        <source>销毁申请</source>
        <translation>Destruction requests</translation>
    </message>
    <message>
        <source>档案销毁须经承保机构书面批准：登记批复时上传批复扫描件后方可登记销毁。</source>
        <translation>Destruction needs the insurer&apos;s written approval: record it with the scanned reply before recording destruction.</translation>
    </message>
    <message>
        <source>显示 {shown} 件（共 {total} 件；90 天内到期 {soon} 件，已过保存期限 {past} 件）</source>
        <translation>Showing {shown} ({total} in all; {soon} end within 90 days, {past} past retention)</translation>
    </message>
    <message>
        <source>仅显示：{what}（{n} 件）</source>
        <translation>Showing only: {what} ({n} items)</translation>
    </message>
    <message>
        <source>请先选择</source>
        <translation>Choose first</translation>
    </message>
    <message>
        <source>请在档案台账中选择要修改的档案。</source>
        <translation>Choose the item to edit in the ledger.</translation>
    </message>
    <message>
        <source>请在档案台账中选择要申请销毁的档案（可按住 Ctrl 或 Shift 多选）。</source>
        <translation>Choose the items to destroy in the ledger (Ctrl or Shift selects several).</translation>
    </message>
    <message>
        <source>请在档案台账中选择已销毁的档案。</source>
        <translation>Choose the destroyed items in the ledger.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择要登记批复的申请。</source>
        <translation>Choose the request to record an approval for.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择被驳回的申请。</source>
        <translation>Choose the refused request.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择已销毁的申请。</source>
        <translation>Choose the request whose items were destroyed.</translation>
    </message>
    <message>
        <source>请先按项目筛选或选择一件档案，目录按项目打印。</source>
        <translation>Filter by a project or choose an item first: the catalogue is printed per project.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择要打印审批表的申请。</source>
        <translation>Choose the request to print the approval form for.</translation>
    </message>
</context>
<context>
    <name>AuthoritiesPanel</name>
    <message>
        <source>修改主管部门</source>
        <translation>Edit authority</translation>
    </message>
    <message>
        <source>新增主管部门</source>
        <translation>Add authority</translation>
    </message>
    <message>
        <source>如：越城区</source>
        <translation>e.g. Yuecheng District</translation>
    </message>
    <message>
        <source>如：越城区住房和城乡建设局</source>
        <translation>e.g. Yuecheng District Housing and Urban-Rural Development Bureau</translation>
    </message>
    <message>
        <source>区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>主管部门名称</source>
        <translation>Authority name</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>首次设置时已预置绍兴市各区、县（市）及其住房和城乡建设局；名称有变化或需要其他区县时，在这里修改或新增。项目的“主管部门”从这里选择。</source>
        <translation>Shaoxing&apos;s districts and their housing and construction bureaus were preset at first run; correct a name or add another district here. A project&apos;s authority is chosen from this list.</translation>
    </message>
    <message>
        <source>新增…</source>
        <translation>Add…</translation>
    </message>
    <message>
        <source>修改…</source>
        <translation>Edit…</translation>
    </message>
</context>
<context>
    <name>AutoBackup</name>
    <message>
        <source>自动备份完成：{path}</source>
        <translation>Automatic backup written: {path}</translation>
    </message>
    <message>
        <source>自动备份失败：{reason}（详见日志）</source>
        <translation>Automatic backup failed: {reason} (see the log)</translation>
    </message>
</context>
<context>
    <name>BackupAdminDialog</name>
    <message>
        <source>从备份恢复</source>
        <translation>Restore from backup</translation>
    </message>
    <message>
        <source>备份文件：{name}

这个数据目录中还没有用户账户。请输入备份中的系统管理员用户名和密码：校验备份后先核对身份，核对通过才会恢复，审计记录中记为此人。</source>
        <translation>Backup file: {name}

This data folder has no user accounts yet. Enter the user name and password of a system administrator in the backup: once the backup is verified they are checked first, the restore goes ahead only if they match, and the audit log records this person.</translation>
    </message>
    <message>
        <source>核对并恢复</source>
        <translation>Check and restore</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>请输入备份中系统管理员的用户名和密码。</source>
        <translation>Enter the user name and password of a system administrator in the backup.</translation>
    </message>
</context>
<context>
    <name>BackupPanel</name>
    <message>
        <source>立即备份</source>
        <translation>Back up now</translation>
    </message>
    <message>
        <source>备份到文件…</source>
        <translation>Back up to file…</translation>
    </message>
    <message>
        <source>自动备份</source>
        <translation>Automatic backup</translation>
    </message>
    <message>
        <source> 小时</source>
        <translation> hours</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Off</translation>
    </message>
    <message>
        <source> 份</source>
        <translation> copies</translation>
    </message>
    <message>
        <source>保存自动备份设置</source>
        <translation>Save automatic backup settings</translation>
    </message>
    <message>
        <source>备份间隔</source>
        <translation>Interval</translation>
    </message>
    <message>
        <source>保留份数</source>
        <translation>Copies kept</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>最近一次</source>
        <translation>Latest</translation>
    </message>
    <message>
        <source>从备份恢复</source>
        <translation>Restore from backup</translation>
    </message>
    <message>
        <source>恢复会用备份替换当前全部数据和附件（当前数据会另存一份，不会丢失）。恢复前先逐个核对校验值；恢复完成后程序将关闭，需要重新打开。仅系统管理员可以恢复。</source>
        <translation>Restoring replaces all current data and attachments with the backup (the current data is set aside, not lost). Every checksum is verified first; after the restore the program closes and must be reopened. Only administrators can restore.</translation>
    </message>
    <message>
        <source>从备份文件恢复…</source>
        <translation>Restore from backup file…</translation>
    </message>
    <message>
        <source>只有系统管理员可以恢复数据。</source>
        <translation>Only administrators can restore data.</translation>
    </message>
    <message>
        <source>还没有自动备份</source>
        <translation>No automatic backup yet</translation>
    </message>
    <message>
        <source>保存备份</source>
        <translation>Save backup</translation>
    </message>
    <message>
        <source>正在备份…</source>
        <translation>Backing up…</translation>
    </message>
    <message>
        <source>备份已保存：{path}
共 {files} 个文件，{size}，用时 {seconds:.1f} 秒。</source>
        <translation>Backup saved: {path}
{files} files, {size}, in {seconds:.1f} s.</translation>
    </message>
    <message>
        <source>备份完成（有警告）</source>
        <translation>Backup finished with warnings</translation>
    </message>
    <message>
        <source>备份完成</source>
        <translation>Backup finished</translation>
    </message>
    <message>
        <source>设置未保存</source>
        <translation>Settings not saved</translation>
    </message>
    <message>
        <source>无法写入设置文件：{error}</source>
        <translation>Cannot write the settings file: {error}</translation>
    </message>
    <message>
        <source>自动备份设置已保存。</source>
        <translation>Automatic backup settings saved.</translation>
    </message>
    <message>
        <source>选择备份文件</source>
        <translation>Choose a backup file</translation>
    </message>
    <message>
        <source>正在校验备份文件…</source>
        <translation>Verifying the backup file…</translation>
    </message>
    <message>
        <source>备份文件：{path}
创建于 {created}，含 {attachments} 个附件。
校验结果：{checked}。</source>
        <translation>Backup file: {path}
Created {created}, {attachments} attachments.
Check result: {checked}.</translation>
    </message>
    <message>
        <source>注意：{warning}</source>
        <translation>Note: {warning}</translation>
    </message>
    <message>
        <source>用它替换当前全部数据吗？当前数据会另存到数据目录中。
恢复完成后程序将关闭，请重新打开。</source>
        <translation>Replace all current data with it? The current data will be kept in the data folder.
The program will close after the restore; please open it again.</translation>
    </message>
    <message>
        <source>正在恢复数据…</source>
        <translation>Restoring data…</translation>
    </message>
    <message>
        <source>数据已从备份恢复。程序现在将关闭，请重新打开 RiskDesk。</source>
        <translation>The data has been restored from the backup. The program will now close; please reopen RiskDesk.</translation>
    </message>
    <message>
        <source>恢复前的数据已另存到：{path}</source>
        <translation>The data from before the restore was set aside in: {path}</translation>
    </message>
    <message>
        <source>恢复完成（有警告）</source>
        <translation>Restore complete (with warnings)</translation>
    </message>
    <message>
        <source>恢复完成</source>
        <translation>Restore finished</translation>
    </message>
    <message>
        <source>备份文件包含数据库和全部附件，并附每个文件的校验值；不含签名私钥（请用“riskdesk key-export”单独导出并保管）。请把备份保存到另一块磁盘或移动硬盘上。</source>
        <translation>A backup holds the database and every attachment, with a checksum of each file; it does not hold the private signing key (export it separately with “riskdesk key-export” and keep it safe). Keep backups on another disk or a removable drive.</translation>
    </message>
</context>
<context>
    <name>CapturePanel</name>
    <message>
        <source>一级</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <source>二级</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <source>三级</source>
        <translation>Level 3</translation>
    </message>
    <message>
        <source>四级</source>
        <translation>Level 4</translation>
    </message>
    <message>
        <source>现场采集</source>
        <translation>Site capture</translation>
    </message>
    <message>
        <source>未运行：手机无法连接。</source>
        <translation>Not running: phones cannot connect.</translation>
    </message>
    <message>
        <source>启动</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>配对新手机…</source>
        <translation>Pair a new phone…</translation>
    </message>
    <message>
        <source>手机</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>配对人</source>
        <translation>Paired to</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>有效期至</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <source>撤销所选手机</source>
        <translation>Revoke the selected phone</translation>
    </message>
    <message>
        <source>发送人</source>
        <translation>Sent by</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>发现时间</source>
        <translation>Found at</translation>
    </message>
    <message>
        <source>提示</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>显示全部草稿</source>
        <translation>Show all drafts</translation>
    </message>
    <message>
        <source>查看检查…</source>
        <translation>Open inspection…</translation>
    </message>
    <message>
        <source>打开所选草稿所属的检查记录</source>
        <translation>Open the inspection the selected draft belongs to</translation>
    </message>
    <message>
        <source>确认入台账…</source>
        <translation>Confirm into the register…</translation>
    </message>
    <message>
        <source>退回…</source>
        <translation>Reject…</translation>
    </message>
    <message>
        <source>已配对的手机</source>
        <translation>Paired phones</translation>
    </message>
    <message>
        <source>待确认的草稿（确认后才进入隐患台账）</source>
        <translation>Drafts to confirm (they enter the hazard register only when confirmed)</translation>
    </message>
    <message>
        <source>无法启动</source>
        <translation>Cannot start</translation>
    </message>
    <message>
        <source>无法在本机开启服务：{reason}</source>
        <translation>Cannot start the service on this computer: {reason}</translation>
    </message>
    <message>
        <source>运行中：{address}（同一局域网或本机热点内的手机可连接）</source>
        <translation>Running: {address} (phones on the same network or this computer&apos;s hotspot can connect)</translation>
    </message>
    <message>
        <source>端口 {usual} 被其他程序占用，本次改用端口 {port}：已配对的手机须重新扫码配对；手机上尚未发出的草稿要等服务回到端口 {usual} 后才能发出。</source>
        <translation>Port {usual} is in use by another program, so this time the service uses port {port}. Paired phones must scan the QR code to pair again; drafts not yet sent from a phone can only be sent once the service is back on port {usual}.</translation>
    </message>
    <message>
        <source>端口被占用</source>
        <translation>Port in use</translation>
    </message>
    <message>
        <source>停止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>用手机扫码配对（一次有效，{until} 前）。扫码后手机浏览器打开：{url}</source>
        <translation>Scan with the phone to pair (once, before {until}). The phone&apos;s browser opens: {url}</translation>
    </message>
    <message>
        <source>只显示 {date} 对“{project}”的检查的草稿</source>
        <translation>Only drafts of the inspection of “{project}” on {date}</translation>
    </message>
    <message>
        <source>{n} 张</source>
        <translation>{n} photo(s)</translation>
    </message>
    <message>
        <source>发现时间：{how}</source>
        <translation>Found time: {how}</translation>
    </message>
    <message>
        <source>拍摄时间不明</source>
        <translation>time taken unknown</translation>
    </message>
    <message>
        <source>请先在列表中选择一行。</source>
        <translation>Select a row in the list first.</translation>
    </message>
    <message>
        <source>撤销手机</source>
        <translation>Revoke phone</translation>
    </message>
    <message>
        <source>撤销“{name}”后该手机须重新扫码配对。继续？</source>
        <translation>After revoking &quot;{name}&quot; the phone must scan a new code to pair again. Continue?</translation>
    </message>
    <message>
        <source>已登记隐患 {number}。</source>
        <translation>Hazard {number} recorded.</translation>
    </message>
    <message>
        <source>退回草稿</source>
        <translation>Reject draft</translation>
    </message>
    <message>
        <source>退回原因：</source>
        <translation>Reason:</translation>
    </message>
    <message>
        <source>确认入台账</source>
        <translation>Confirm into the register</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>应急预案（一、二级）</source>
        <translation>Contingency (levels 1 and 2)</translation>
    </message>
    <message>
        <source>停工建议（一级）</source>
        <translation>Stop-work suggestion (level 1)</translation>
    </message>
    <message>
        <source>{n} 张，作为整改前照片保存</source>
        <translation>{n}, kept as before-photos</translation>
    </message>
</context>
<context>
    <name>CataloguePanel</name>
    <message>
        <source>隐患按发现日期对照当时施行的版本；新版本由管理员从 JSON 或 Excel 文件导入（Excel：“版本信息”工作表填一行代码、类别、版本、名称、文号、施行日期、官方文本；条目工作表须有编号、内容两列，可有条款、类别、子项、默认等级、替代等列），导入后显示“未核对原文”，与官方原文逐条核对后再标记为已核对。</source>
        <translation>A hazard is judged against the edition in force on the day it was found. An administrator imports a new edition from a JSON or Excel file (Excel: one row on the edition-information sheet with code, kind, edition, title, document number, effective date and whether it is the official text; an item sheet with a code and a text column, optionally article, category, sub-items, default level and replaced items); it shows “not checked against the original” until compared item by item with the official text and marked checked.</translation>
    </message>
    <message>
        <source>导入新版本（JSON 或 Excel）…</source>
        <translation>Import an edition (JSON or Excel)…</translation>
    </message>
    <message>
        <source>标记为已核对原文…</source>
        <translation>Mark as checked against the original…</translation>
    </message>
    <message>
        <source>选择标准目录文件</source>
        <translation>Choose the catalogue file</translation>
    </message>
    <message>
        <source>已导入</source>
        <translation>Imported</translation>
    </message>
    <message>
        <source>已导入“{title}”（{items} 条）。与官方原文核对前显示为“未核对原文”。</source>
        <translation>Imported “{title}” ({items} items). Until compared with the official text it shows “not checked against the original”.</translation>
    </message>
    <message>
        <source>确认“{title}”的条文已与官方原文逐条核对一致？此操作记入审计记录。</source>
        <translation>Confirm that every item of “{title}” matches the official text? This is kept in the audit log.</translation>
    </message>
    <message>
        <source>核对原文</source>
        <translation>Check against the original</translation>
    </message>
</context>
<context>
    <name>CataloguePicker</name>
    <message>
        <source>已核对原文</source>
        <translation>Checked against the original</translation>
    </message>
    <message>
        <source>未经核对原文</source>
        <translation>Not checked against the original</translation>
    </message>
    <message>
        <source>未经核对原文：本条文字据公开资料整理，尚未与标准原文逐字核对，出具文书前请核对原文。</source>
        <translation>Not checked against the original: this text was compiled from public sources and has not been compared word for word with the standard. Check the original before issuing documents.</translation>
    </message>
    <message>
        <source>出处：{title}</source>
        <translation>Source: {title}</translation>
    </message>
    <message>
        <source>选择重大事故隐患判定条目</source>
        <translation>Choose a major-hazard criterion</translation>
    </message>
    <message>
        <source>输入关键词，如：塔吊 附着、连墙件、基坑 监测</source>
        <translation>Type keywords, e.g. tower crane anchorage, wall ties, excavation monitoring</translation>
    </message>
    <message>
        <source>找到 {n} 条</source>
        <translation>{n} found</translation>
    </message>
    <message>
        <source>全部版本</source>
        <translation>All editions</translation>
    </message>
    <message>
        <source>（{day} 起施行）</source>
        <translation> (in force from {day})</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Edition</translation>
    </message>
    <message>
        <source>沿用自：{items}</source>
        <translation>Carried over from: {items}</translation>
    </message>
    <message>
        <source>新版对应：{items}</source>
        <translation>In the newer edition: {items}</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>职务/职称</source>
        <translation>Position/title</translation>
    </message>
    <message>
        <source>可用</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>已锁定</source>
        <translation>Locked</translation>
    </message>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>事项</source>
        <translation>Step</translation>
    </message>
    <message>
        <source>经办人</source>
        <translation>By</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>报告对象</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>事由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>期限</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>报告时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <source>方式</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>生成时间</source>
        <translation>Generated</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>发现日期</source>
        <translation>Found</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <source>条目</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>判定情形</source>
        <translation>Criterion</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Rev.</translation>
    </message>
    <message>
        <source>核对</source>
        <translation>Checked</translation>
    </message>
    <message>
        <source>检查日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>检查类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Stage</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspectors</translation>
    </message>
    <message>
        <source>发现隐患</source>
        <translation>Hazards found</translation>
    </message>
    <message>
        <source>核查风险源</source>
        <translation>Sources verified</translation>
    </message>
    <message>
        <source>项目方确认</source>
        <translation>Site confirmation</translation>
    </message>
    <message>
        <source>项目编号</source>
        <translation>Project no.</translation>
    </message>
    <message>
        <source>项目名称</source>
        <translation>Project name</translation>
    </message>
    <message>
        <source>风险等级</source>
        <translation>Risk level</translation>
    </message>
    <message>
        <source>区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>主管部门</source>
        <translation>Authority</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>属地主管部门</source>
        <translation>Local authority</translation>
    </message>
    <message>
        <source>未销项隐患</source>
        <translation>Open hazards</translation>
    </message>
    <message>
        <source>最近检查</source>
        <translation>Last inspection</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>签发人</source>
        <translation>Signed by</translation>
    </message>
    <message>
        <source>签发时间</source>
        <translation>Signed at</translation>
    </message>
    <message>
        <source>报送次数</source>
        <translation>Submissions</translation>
    </message>
    <message>
        <source>报送时间</source>
        <translation>Submitted at</translation>
    </message>
    <message>
        <source>报送对象</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>报送单位</source>
        <translation>Recipient organisation</translation>
    </message>
    <message>
        <source>报送方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>登记人</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <source>走访间隔（天）</source>
        <translation>Visit interval (days)</translation>
    </message>
    <message>
        <source>编制时间</source>
        <translation>Drawn up</translation>
    </message>
    <message>
        <source>文号</source>
        <translation>Document no.</translation>
    </message>
    <message>
        <source>签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>题名</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>载体</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>盒号</source>
        <translation>Box</translation>
    </message>
    <message>
        <source>存放位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>归档日期</source>
        <translation>Filed on</translation>
    </message>
    <message>
        <source>保存期限至</source>
        <translation>Keep until</translation>
    </message>
    <message>
        <source>申请号</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>申请时间</source>
        <translation>Requested</translation>
    </message>
    <message>
        <source>件数</source>
        <translation>Items</translation>
    </message>
    <message>
        <source>申请人</source>
        <translation>Requested by</translation>
    </message>
    <message>
        <source>审批人</source>
        <translation>Approved by</translation>
    </message>
    <message>
        <source>批复文号</source>
        <translation>Approval ref.</translation>
    </message>
    <message>
        <source>审批时间</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>销毁时间</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>保管期限至</source>
        <translation>Keep until</translation>
    </message>
    <message>
        <source>演练日期</source>
        <translation>Drill date</translation>
    </message>
    <message>
        <source>演练科目</source>
        <translation>Scenario</translation>
    </message>
    <message>
        <source>参演人数</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>评价</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>成效评估</source>
        <translation>Evaluated</translation>
    </message>
    <message>
        <source>培训日期</source>
        <translation>Training date</translation>
    </message>
    <message>
        <source>培训主题</source>
        <translation>Topic</translation>
    </message>
    <message>
        <source>集中培训</source>
        <translation>Centralized</translation>
    </message>
    <message>
        <source>学时</source>
        <translation>Hours</translation>
    </message>
    <message>
        <source>参训项目</source>
        <translation>Projects</translation>
    </message>
    <message>
        <source>管理人员</source>
        <translation>Managers</translation>
    </message>
    <message>
        <source>作业人员</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>针对类别</source>
        <translation>Targets</translation>
    </message>
    <message>
        <source>授课人</source>
        <translation>Trainer</translation>
    </message>
    <message>
        <source>培训依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>已培训/应培训</source>
        <translation>Held / due</translation>
    </message>
    <message>
        <source>频次</source>
        <translation>Frequency</translation>
    </message>
    <message>
        <source>全覆盖</source>
        <translation>Coverage</translation>
    </message>
    <message>
        <source>针对性</source>
        <translation>Targeted</translation>
    </message>
    <message>
        <source>近期隐患类别</source>
        <translation>Recent hazard categories</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>服务类别</source>
        <translation>Service type</translation>
    </message>
    <message>
        <source>摘要</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>关联服务记录</source>
        <translation>Service record</translation>
    </message>
    <message>
        <source>金额（元）</source>
        <translation>Amount (CNY)</translation>
    </message>
    <message>
        <source>余额（元）</source>
        <translation>Balance (CNY)</translation>
    </message>
    <message>
        <source>已提供（次）</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>已列支（笔）</source>
        <translation>Booked</translation>
    </message>
    <message>
        <source>支出（元）</source>
        <translation>Spent (CNY)</translation>
    </message>
    <message>
        <source>列支情况</source>
        <translation>Booking</translation>
    </message>
    <message>
        <source>协助方式</source>
        <translation>Help given</translation>
    </message>
    <message>
        <source>应急预案名称</source>
        <translation>Emergency plan</translation>
    </message>
    <message>
        <source>主要建议</source>
        <translation>Main suggestions</translation>
    </message>
    <message>
        <source>组织单位/负责人</source>
        <translation>Organiser</translation>
    </message>
    <message>
        <source>评价等级</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>计划开始</source>
        <translation>Planned start</translation>
    </message>
    <message>
        <source>计划结束</source>
        <translation>Planned end</translation>
    </message>
    <message>
        <source>实际开始</source>
        <translation>Actual start</translation>
    </message>
    <message>
        <source>实际结束</source>
        <translation>Actual end</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>规模</source>
        <translation>Scale</translation>
    </message>
    <message>
        <source>规模参数</source>
        <translation>Parameters</translation>
    </message>
    <message>
        <source>评定时间</source>
        <translation>Assessed</translation>
    </message>
    <message>
        <source>规则计算</source>
        <translation>By the rules</translation>
    </message>
    <message>
        <source>评定人</source>
        <translation>Assessed by</translation>
    </message>
    <message>
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>风险源</source>
        <translation>Risk source</translation>
    </message>
    <message>
        <source>本季度核查</source>
        <translation>Verified this quarter</translation>
    </message>
    <message>
        <source>防范措施</source>
        <translation>Preventive measures</translation>
    </message>
    <message>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <source>原值</source>
        <translation>Before</translation>
    </message>
    <message>
        <source>新值</source>
        <translation>After</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>检查要点</source>
        <translation>Point checked</translation>
    </message>
    <message>
        <source>检查情况</source>
        <translation>Finding</translation>
    </message>
    <message>
        <source>工作表</source>
        <translation>Sheet</translation>
    </message>
    <message>
        <source>行</source>
        <translation>Row</translation>
    </message>
    <message>
        <source>列</source>
        <translation>Column</translation>
    </message>
    <message>
        <source>表头</source>
        <translation>Header</translation>
    </message>
    <message>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>依据</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>起始日期</source>
        <translation>Since</translation>
    </message>
    <message>
        <source>名称/编号</source>
        <translation>Name / number</translation>
    </message>
    <message>
        <source>删除时间</source>
        <translation>Deleted</translation>
    </message>
    <message>
        <source>收到日期</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>投诉人</source>
        <translation>Complainant</translation>
    </message>
    <message>
        <source>渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>投诉内容</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>需核实</source>
        <translation>Needs checking</translation>
    </message>
    <message>
        <source>答复期限</source>
        <translation>Reply due</translation>
    </message>
    <message>
        <source>答复日期</source>
        <translation>Replied</translation>
    </message>
    <message>
        <source>经过与情况</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>发现单位</source>
        <translation>Found by</translation>
    </message>
    <message>
        <source>死亡</source>
        <translation>Deaths</translation>
    </message>
    <message>
        <source>重伤</source>
        <translation>Serious injuries</translation>
    </message>
    <message>
        <source>评价单位类型</source>
        <translation>Evaluator type</translation>
    </message>
    <message>
        <source>评价单位</source>
        <translation>Evaluator</translation>
    </message>
    <message>
        <source>评价期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>评价结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>认可</source>
        <translation>Recognised</translation>
    </message>
    <message>
        <source>年度</source>
        <translation>Year</translation>
    </message>
    <message>
        <source>数据来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>放假日期</source>
        <translation>Holidays</translation>
    </message>
    <message>
        <source>调休上班日期</source>
        <translation>Make-up working days</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>施行日期</source>
        <translation>In force from</translation>
    </message>
    <message>
        <source>条款</source>
        <translation>Clause</translation>
    </message>
    <message>
        <source>会议日期</source>
        <translation>Meeting date</translation>
    </message>
    <message>
        <source>地点</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>参会人数</source>
        <translation>Attendees</translation>
    </message>
    <message>
        <source>交底内容</source>
        <translation>Topics explained</translation>
    </message>
    <message>
        <source>投保单位确认</source>
        <translation>Confirmed by the insured</translation>
    </message>
    <message>
        <source>签到表</source>
        <translation>Sign-in sheets</translation>
    </message>
    <message>
        <source>协助日期</source>
        <translation>Date of assistance</translation>
    </message>
    <message>
        <source>检查项目</source>
        <translation>Items checked</translation>
    </message>
    <message>
        <source>提出的建议</source>
        <translation>Advice given</translation>
    </message>
    <message>
        <source>跟踪复查</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>管理人员覆盖（按人）</source>
        <translation>Managers covered (people)</translation>
    </message>
    <message>
        <source>作业人员覆盖（按人）</source>
        <translation>Workers covered (people)</translation>
    </message>
    <message>
        <source>实际完成</source>
        <translation>Actual end</translation>
    </message>
</context>
<context>
    <name>CompliancePage</name>
    <message>
        <source>季度</source>
        <translation>Quarter</translation>
    </message>
    <message>
        <source>半年度</source>
        <translation>Half-year</translation>
    </message>
    <message>
        <source>年度</source>
        <translation>Year</translation>
    </message>
    <message>
        <source>月度</source>
        <translation>Month</translation>
    </message>
    <message>
        <source>全机构</source>
        <translation>Whole agency</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>符合</source>
        <translation>Met</translation>
    </message>
    <message>
        <source>不符合</source>
        <translation>Not met</translation>
    </message>
    <message>
        <source>尚未到期</source>
        <translation>Not yet due</translation>
    </message>
    <message>
        <source>不适用</source>
        <translation>Not applicable</translation>
    </message>
    <message>
        <source>依据文件 (*.pdf *.docx *.xlsx *.jpg *.jpeg *.png)</source>
        <translation>Supporting file (*.pdf *.docx *.xlsx *.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <source>待人工填写</source>
        <translation>To answer</translation>
    </message>
    <message>
        <source>{n} 项</source>
        <translation>{n}</translation>
    </message>
    <message>
        <source>{n} 项（{k} 项未到期）</source>
        <translation>{n} ({k} not yet due)</translation>
    </message>
    <message>
        <source>{section}（{n} 项不符合）</source>
        <translation>{section} ({n} not met)</translation>
    </message>
    <message>
        <source>已逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>本期不计</source>
        <translation>Not counted this period</translation>
    </message>
    <message>
        <source>未到期</source>
        <translation>Not yet due</translation>
    </message>
    <message>
        <source>人工填写：{item}</source>
        <translation>Answer: {item}</translation>
    </message>
    <message>
        <source>检查要点</source>
        <translation>Point checked</translation>
    </message>
    <message>
        <source>依据，如：制度文件名称、评价文号</source>
        <translation>Grounds, e.g. the rules document or the evaluation reference</translation>
    </message>
    <message>
        <source>选择文件(&amp;B)…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>依据文件存入机构资料，仅系统管理员可以上传；可在说明中写明文件名称。</source>
        <translation>The file is kept among the agency&apos;s own files, which only an administrator may add to; name the file in the note instead.</translation>
    </message>
    <message>
        <source>结论</source>
        <translation>Answer</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>依据文件（可选）</source>
        <translation>Supporting file (optional)</translation>
    </message>
    <message>
        <source>选择依据文件</source>
        <translation>Choose the supporting file</translation>
    </message>
    <message>
        <source>开始自查(&amp;C)</source>
        <translation>&amp;Check</translation>
    </message>
    <message>
        <source>人工填写(&amp;M)…</source>
        <translation>Answer &amp;manually…</translation>
    </message>
    <message>
        <source>导出 PDF…</source>
        <translation>Export PDF…</translation>
    </message>
    <message>
        <source>导出 Excel…</source>
        <translation>Export Excel…</translation>
    </message>
    <message>
        <source>生成文书草稿(&amp;D)</source>
        <translation>&amp;Draft document</translation>
    </message>
    <message>
        <source>仅显示已逾期(&amp;L)</source>
        <translation>Only &amp;late ones</translation>
    </message>
    <message>
        <source>期间(&amp;Q)</source>
        <translation>Period (&amp;Q)</translation>
    </message>
    <message>
        <source>范围(&amp;S)</source>
        <translation>&amp;Scope</translation>
    </message>
    <message>
        <source>问题清单</source>
        <translation>Gaps</translation>
    </message>
    <message>
        <source>投诉</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <source>事故与漏判</source>
        <translation>Incidents and missed hazards</translation>
    </message>
    <message>
        <source>评价</source>
        <translation>Evaluations</translation>
    </message>
    <message>
        <source>请选择{scope}。</source>
        <translation>Please choose the {scope}.</translation>
    </message>
    <message>
        <source>正在逐项自查…</source>
        <translation>Checking item by item…</translation>
    </message>
    <message>
        <source>{scope}（{n} 个项目），{period}（{start} 至 {end}），截至 {as_of}：符合 {met} 项，不符合 {not_met} 项，尚未到期 {not_due} 项，不适用 {na} 项，待人工填写 {manual} 项</source>
        <translation>{scope} ({n} projects), {period} ({start} to {end}), as of {as_of}: {met} met, {not_met} not met, {not_due} not yet due, {na} not applicable, {manual} to fill in by hand</translation>
    </message>
    <message>
        <source>全部条目</source>
        <translation>all items</translation>
    </message>
    <message>
        <source>&lt;b&gt;问题清单&lt;/b&gt;（{what}：{n} 项，双击或回车打开相关记录）</source>
        <translation>&lt;b&gt;Gaps&lt;/b&gt; ({what}: {n}; double-click or Enter opens the record)</translation>
    </message>
    <message>
        <source>&lt;b&gt;问题清单&lt;/b&gt;（正在自查…）</source>
        <translation>&lt;b&gt;Gaps&lt;/b&gt; (checking…)</translation>
    </message>
    <message>
        <source>选择一个条目查看检查要点、判定方法和依据。</source>
        <translation>Choose an item to see what is checked, how it is decided and the evidence.</translation>
    </message>
    <message>
        <source>判定方法：{basis}</source>
        <translation>Decided by: {basis}</translation>
    </message>
    <message>
        <source>依据：{text}</source>
        <translation>Evidence: {text}</translation>
    </message>
    <message>
        <source>说明：{note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <source>没有相关记录</source>
        <translation>No record to open</translation>
    </message>
    <message>
        <source>该问题属于全机构事项，没有可打开的单条记录。</source>
        <translation>This gap concerns the whole agency; there is no single record to open.</translation>
    </message>
    <message>
        <source>合规自查 {period}.{ext}</source>
        <translation>Self-check {period}.{ext}</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbooks (*.xlsx)</translation>
    </message>
    <message>
        <source>导出自查表</source>
        <translation>Export the self-check</translation>
    </message>
    <message>
        <source>正在导出自查表…</source>
        <translation>Exporting the self-check…</translation>
    </message>
    <message>
        <source>导出完成</source>
        <translation>Export finished</translation>
    </message>
    <message>
        <source>自查表（工作稿）已导出到：
{path}</source>
        <translation>The self-check (working copy) was written to:
{path}</translation>
    </message>
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <source>数据库与附件库（多台电脑共用）</source>
        <translation>Database and attachment store (shared by several desks)</translation>
    </message>
    <message>
        <source>留空：本机 SQLite；共用：postgresql://用户@服务器:5432/数据库名</source>
        <translation>Empty: local SQLite; shared: postgresql://user@server:5432/database</translation>
    </message>
    <message>
        <source>留空：使用 PostgreSQL 密码文件中已保存的密码</source>
        <translation>Empty: the password already saved in the PostgreSQL password file</translation>
    </message>
    <message>
        <source>密码保存在本机的 PostgreSQL 密码文件（{path}，仅本人可读），不写入设置文件。</source>
        <translation>The password is kept in this computer&apos;s PostgreSQL password file ({path}, readable by you only), never in the settings file.</translation>
    </message>
    <message>
        <source>留空：数据目录下的 attachments；共用时填写各台电脑都能访问的共享文件夹</source>
        <translation>Empty: attachments in the data folder; shared: a folder every desk can reach</translation>
    </message>
    <message>
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <source>保存（重新启动后生效）</source>
        <translation>Save (takes effect after restart)</translation>
    </message>
    <message>
        <source>数据库地址</source>
        <translation>Database address</translation>
    </message>
    <message>
        <source>数据库密码</source>
        <translation>Database password</translation>
    </message>
    <message>
        <source>升级用地址</source>
        <translation>Upgrade address</translation>
    </message>
    <message>
        <source>留空：与数据库地址相同；分设角色时填写所有者角色的地址（仅用于升级数据库结构和恢复备份）</source>
        <translation>Empty: the database address; with separate roles, the owner role&apos;s address (used only to upgrade the schema and to restore backups)</translation>
    </message>
    <message>
        <source>附件库目录</source>
        <translation>Attachment store folder</translation>
    </message>
    <message>
        <source>注意：环境变量 RISKDESK_DATABASE_URL 已设置，它优先于此处的地址。</source>
        <translation>Note: RISKDESK_DATABASE_URL is set and takes precedence over this address.</translation>
    </message>
    <message>
        <source>设置文件无法保存：{reason}</source>
        <translation>The settings file could not be saved: {reason}</translation>
    </message>
    <message>
        <source>已保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <source>新的数据库与附件库设置将在重新启动本软件后生效。</source>
        <translation>The new database and attachment store settings take effect when the application is restarted.</translation>
    </message>
    <message>
        <source>数据库密码已保存到本机的 PostgreSQL 密码文件：{path}</source>
        <translation>The database password was saved to this computer&apos;s PostgreSQL password file: {path}</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>程序错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <source>程序遇到了一个意外错误：{error}

已保存的数据不受影响，未保存的输入可能需要重新填写。详细信息已写入日志文件：
{log}

请将该文件发送给技术支持。</source>
        <translation>The program hit an unexpected error: {error}

Saved data is not affected; input that was not saved may have to be entered again. The details were written to the log file:
{log}

Please send this file to technical support.</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>本机构</source>
        <translation>Our agency</translation>
    </message>
    <message>
        <source>待办事项</source>
        <translation>To do</translation>
    </message>
    <message>
        <source>还没有在保项目，所以下面的待办都是 0。第一步：新建项目，或从 Excel 导入项目及保单清单；然后按项目安排检查、登记隐患，待办事项会在这里提醒。</source>
        <translation>No insured projects yet, so every to-do below is 0. First step: create a project, or import the project and policy list from Excel; then plan inspections and record hazards per project, and the to-dos will show here.</translation>
    </message>
    <message>
        <source>新建项目…</source>
        <translation>New project…</translation>
    </message>
    <message>
        <source>从 Excel 导入…</source>
        <translation>Import from Excel…</translation>
    </message>
    <message>
        <source>{name}（{role}），您好。今天是 {date}。</source>
        <translation>Hello, {name} ({role}). Today is {date}.</translation>
    </message>
    <message>
        <source>尚未登记机构信息。</source>
        <translation>The agency&apos;s details have not been entered yet.</translation>
    </message>
    <message>
        <source>机构名称</source>
        <translation>Agency name</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Telephone</translation>
    </message>
    <message>
        <source>依据：{rule}</source>
        <translation>Rule: {rule}</translation>
    </message>
    <message>
        <source>近期到期（7 天）</source>
        <translation>Due soon (7 days)</translation>
    </message>
    <message>
        <source>到期日历（30 天）…</source>
        <translation>Due calendar (30 days)…</translation>
    </message>
</context>
<context>
    <name>DateField</name>
    <message>
        <source>年-月-日</source>
        <translation>yyyy-mm-dd</translation>
    </message>
    <message>
        <source>可输入 2028-06-30、2028/6/30、20280630 或 2028年6月30日；Alt+↓ 打开日历</source>
        <translation>Type 2028-06-30, 2028/6/30 or 20280630; Alt+Down opens the calendar</translation>
    </message>
    <message>
        <source>从日历中选择</source>
        <translation>Pick from the calendar</translation>
    </message>
    <message>
        <source>请填写日期（如 {example}）</source>
        <translation>Enter a date (e.g. {example})</translation>
    </message>
    <message>
        <source>无法识别的日期“{text}”，请按 {example} 的格式填写</source>
        <translation>&quot;{text}&quot; is not a date; write it as {example}</translation>
    </message>
    <message>
        <source>日期不能早于 {day}</source>
        <translation>The date cannot be before {day}</translation>
    </message>
    <message>
        <source>日期不能晚于 {day}</source>
        <translation>The date cannot be after {day}</translation>
    </message>
    <message>
        <source>时:分，如 14:30</source>
        <translation>hh:mm, e.g. 14:30</translation>
    </message>
    <message>
        <source>无法识别的时间“{text}”，请按 14:30 的格式填写</source>
        <translation>&quot;{text}&quot; is not a time; write it as 14:30</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>数据错误</source>
        <translation>Data error</translation>
    </message>
    <message>
        <source>没有权限</source>
        <translation>Not permitted</translation>
    </message>
    <message>
        <source>记录已被他人修改</source>
        <translation>Changed by someone else</translation>
    </message>
    <message>
        <source>操作未完成</source>
        <translation>Not done</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在取消，请稍候…</source>
        <translation>Cancelling, please wait…</translation>
    </message>
</context>
<context>
    <name>DocumentDialogs</name>
    <message>
        <source>隐患整改通知书</source>
        <translation>Hazard rectification notice</translation>
    </message>
    <message>
        <source>停工（局部停工）建议书</source>
        <translation>Stop-work (partial) recommendation</translation>
    </message>
    <message>
        <source>复查销项单</source>
        <translation>Re-inspection close-out record</translation>
    </message>
    <message>
        <source>拒不整改（拖延整改）情况报告</source>
        <translation>Report on refused (delayed) rectification</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection record</translation>
    </message>
    <message>
        <source>事故预防技术服务工作方案</source>
        <translation>Accident-prevention service work plan</translation>
    </message>
    <message>
        <source>安全教育培训记录</source>
        <translation>Safety training record</translation>
    </message>
    <message>
        <source>应急演练记录及评估报告</source>
        <translation>Emergency drill record and evaluation</translation>
    </message>
    <message>
        <source>档案目录</source>
        <translation>Archive catalogue</translation>
    </message>
    <message>
        <source>档案销毁审批表</source>
        <translation>Archive destruction approval form</translation>
    </message>
    <message>
        <source>隐患排查及问题整改清单</source>
        <translation>Hazard inspection and rectification list</translation>
    </message>
    <message>
        <source>安全生产分析报告</source>
        <translation>Work-safety analysis report</translation>
    </message>
    <message>
        <source>风险评估报告</source>
        <translation>Risk assessment report</translation>
    </message>
    <message>
        <source>安责险第三方风控服务机构检查表（自查）</source>
        <translation>Third-party risk-control agency checklist (self-check)</translation>
    </message>
    <message>
        <source>系统报送</source>
        <translation>Online system</translation>
    </message>
    <message>
        <source>电子邮件</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>书面送达</source>
        <translation>Delivered on paper</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>生成文书草稿</source>
        <translation>Generate document draft</translation>
    </message>
    <message>
        <source>如 2026-03、2026Q3、2026H1 或 2026</source>
        <translation>e.g. 2026-03, 2026Q3, 2026H1 or 2026</translation>
    </message>
    <message>
        <source>文书类别</source>
        <translation>Document type</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <source>本机构（全部项目）</source>
        <translation>This agency (all projects)</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>请选择承保机构</source>
        <translation>Please choose an insurer</translation>
    </message>
    <message>
        <source>请选择建设主管部门</source>
        <translation>Please choose a construction authority</translation>
    </message>
    <message>
        <source>输入项目编号或名称查找</source>
        <translation>Type a project no. or name to search</translation>
    </message>
    <message>
        <source>输入承保机构名称查找</source>
        <translation>Type an insurer&apos;s name to search</translation>
    </message>
    <message>
        <source>输入建设主管部门名称查找</source>
        <translation>Type a construction authority&apos;s name to search</translation>
    </message>
    <message>
        <source>应急预案编制建议书</source>
        <translation>Emergency plan suggestions</translation>
    </message>
    <message>
        <source>预防费用台账</source>
        <translation>Prevention fee ledger</translation>
    </message>
    <message>
        <source>报送登记簿</source>
        <translation>Submission register</translation>
    </message>
    <message>
        <source>整改通知书、停工建议书、检查记录等按记录出具的文书，请在该隐患、检查或项目页生成。</source>
        <translation>Documents issued for one record (rectification notices, stop-work recommendations, inspection records…) are generated from that hazard, inspection or project page.</translation>
    </message>
    <message>
        <source>仅列出前 {n} 项，请输入更多文字缩小范围</source>
        <translation>Only the first {n} are listed; type more to narrow the search</translation>
    </message>
    <message>
        <source>没有符合的记录</source>
        <translation>No matching records</translation>
    </message>
    <message>
        <source>更正文书：{number}</source>
        <translation>Correct document: {number}</translation>
    </message>
    <message>
        <source>写明需要更正的内容和原因</source>
        <translation>What needs correcting, and why</translation>
    </message>
    <message>
        <source>将按当前数据生成第 {n} 版草稿，保持原文号；第 {n} 版签发后，原版本标记为已被替代。</source>
        <translation>A draft of revision {n} is generated from the current data under the same number; once revision {n} is signed, the earlier revision is marked superseded.</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>更正原因</source>
        <translation>Reason for correction</translation>
    </message>
    <message>
        <source>请填写更正原因</source>
        <translation>Please enter the reason for the correction</translation>
    </message>
    <message>
        <source>登记报送：{number}</source>
        <translation>Record submission: {number}</translation>
    </message>
    <message>
        <source>报送对象</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>报送单位</source>
        <translation>Recipient organisation</translation>
    </message>
    <message>
        <source>报送时间</source>
        <translation>Submitted at</translation>
    </message>
    <message>
        <source>报送方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>（按项目自动确定）</source>
        <translation>(from the project)</translation>
    </message>
    <message>
        <source>隐患报告单</source>
        <translation>Hazard report form</translation>
    </message>
    <message>
        <source>服务交底会记录</source>
        <translation>Kick-off meeting record</translation>
    </message>
    <message>
        <source>公钥登记函</source>
        <translation>Key letter</translation>
    </message>
    <message>
        <source>专项服务方案</source>
        <translation>Special service plan</translation>
    </message>
</context>
<context>
    <name>DocumentFontPanel</name>
    <message>
        <source>文书正文字体（本机）</source>
        <translation>Document body font (this computer)</translation>
    </message>
    <message>
        <source>其他字体文件…</source>
        <translation>Other font file…</translation>
    </message>
    <message>
        <source>使用此字体</source>
        <translation>Use this font</translation>
    </message>
    <message>
        <source>正在使用</source>
        <translation>In use</translation>
    </message>
    <message>
        <source>选择</source>
        <translation>Choice</translation>
    </message>
    <message>
        <source>{family}（{origin}）
{file}</source>
        <translation>{family} ({origin})
{file}</translation>
    </message>
    <message>
        <source>可选宋体、仿宋或楷体的 TrueType 字体；选定的字体须能嵌入 PDF 并含文书常用字符。字体文件是本机的，此设置只用于本机生成的文书。</source>
        <translation>Choose a Song, FangSong or Kai TrueType font; it must be embeddable in PDF and contain the characters documents use. The font file belongs to this computer, so the setting applies only to documents generated here.</translation>
    </message>
    <message>
        <source>环境变量 RISKDESK_DOCUMENT_FONT 已指定字体，本机设置不起作用。</source>
        <translation>The environment variable RISKDESK_DOCUMENT_FONT names a font; this computer&apos;s setting has no effect.</translation>
    </message>
    <message>
        <source>新的选择将在重新启动程序后用于文书。</source>
        <translation>The new choice is used for documents after the program is restarted.</translation>
    </message>
    <message>
        <source>自动选择（系统的仿宋/宋体，否则内置字体）</source>
        <translation>Automatic (the system&apos;s FangSong/SimSun, else the bundled font)</translation>
    </message>
    <message>
        <source>环境变量指定</source>
        <translation>set by environment variable</translation>
    </message>
    <message>
        <source>本机设置</source>
        <translation>this computer&apos;s setting</translation>
    </message>
    <message>
        <source>系统字体</source>
        <translation>system font</translation>
    </message>
    <message>
        <source>内置字体</source>
        <translation>bundled font</translation>
    </message>
    <message>
        <source>选择字体文件</source>
        <translation>Choose a font file</translation>
    </message>
    <message>
        <source>TrueType 字体 (*.ttf *.ttc *.TTF *.TTC)</source>
        <translation>TrueType fonts (*.ttf *.ttc *.TTF *.TTC)</translation>
    </message>
</context>
<context>
    <name>DocumentPreview</name>
    <message>
        <source>选择一份文书，在这里预览。</source>
        <translation>Select a document to preview it here.</translation>
    </message>
    <message>
        <source>文书文件缺失：{path}
请运行数据检查，或重新生成草稿。</source>
        <translation>The document&apos;s file is missing: {path}
Run the data check, or generate the draft again.</translation>
    </message>
    <message>
        <source>文书文件无法打开（不是有效的 PDF）：{path}</source>
        <translation>The document&apos;s file cannot be opened (not a valid PDF): {path}</translation>
    </message>
</context>
<context>
    <name>DocumentsPage</name>
    <message>
        <source>本机构</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Authority</translation>
    </message>
    <message>
        <source>隐患</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>检查</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>隐患督办</source>
        <translation>Escalation</translation>
    </message>
    <message>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Drill</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plan</translation>
    </message>
    <message>
        <source>档案销毁申请</source>
        <translation>Destruction request</translation>
    </message>
    <message>
        <source>（签发时编号）</source>
        <translation>(numbered when signed)</translation>
    </message>
    <message>
        <source>还没有文书。用“生成草稿…”起草整改通知书、月报、自查表等文书；技术负责人签发后即可打印、报送和放入评审资料包。</source>
        <translation>No documents yet. Use &quot;Draft…&quot; to draft rectification notices, monthly reports, self-checks and the like; once the technical lead signs them they can be printed, submitted and put in review packages.</translation>
    </message>
    <message>
        <source>报送记录</source>
        <translation>Submissions</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All types</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>如 2026Q3</source>
        <translation>e.g. 2026Q3</translation>
    </message>
    <message>
        <source>搜索文号或标题</source>
        <translation>Search number or title</translation>
    </message>
    <message>
        <source>生成草稿…</source>
        <translation>Generate draft…</translation>
    </message>
    <message>
        <source>应急预案协助</source>
        <translation>Emergency-plan help</translation>
    </message>
    <message>
        <source>没有符合条件的文书。清除搜索词、期间或把类别、状态改回“全部”再看。</source>
        <translation>No documents match. Clear the search and period, or set kind and status back to &quot;all&quot;.</translation>
    </message>
    <message>
        <source>签发</source>
        <translation>Sign</translation>
    </message>
    <message>
        <source>更正（出具新版本）…</source>
        <translation>Correct (new revision)…</translation>
    </message>
    <message>
        <source>登记报送…</source>
        <translation>Record submission…</translation>
    </message>
    <message>
        <source>删除草稿</source>
        <translation>Delete draft</translation>
    </message>
    <message>
        <source>打开文件</source>
        <translation>Open file</translation>
    </message>
    <message>
        <source>打印…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <source>查看历史</source>
        <translation>History</translation>
    </message>
    <message>
        <source>共 {n} 份</source>
        <translation>{n} documents</translation>
    </message>
    <message>
        <source>选择一份文书，在这里预览。</source>
        <translation>Select a document to preview it here.</translation>
    </message>
    <message>
        <source>{kind}，第 {n} 版，{status}</source>
        <translation>{kind}, revision {n}, {status}</translation>
    </message>
    <message>
        <source>{who} 生成于 {at}</source>
        <translation>generated by {who} at {at}</translation>
    </message>
    <message>
        <source>{who} 签发于 {at}</source>
        <translation>signed by {who} at {at}</translation>
    </message>
    <message>
        <source>更正原因：{reason}</source>
        <translation>Reason for correction: {reason}</translation>
    </message>
    <message>
        <source>无法预览该文书：{reason}</source>
        <translation>Cannot preview this document: {reason}</translation>
    </message>
    <message>
        <source>只有技术负责人可以签发文书</source>
        <translation>Only the technical lead can sign documents</translation>
    </message>
    <message>
        <source>正在生成文书草稿…</source>
        <translation>Generating the document draft…</translation>
    </message>
    <message>
        <source>草稿已生成</source>
        <translation>Draft generated</translation>
    </message>
    <message>
        <source>已生成“{title}”草稿；当前筛选条件下未显示。</source>
        <translation>The draft “{title}” was generated; the current filters hide it.</translation>
    </message>
    <message>
        <source>签发“{title}”？
签发后将编定文号、生成正式文件并记录签发人，文书不能再修改，只能通过更正出具新版本。</source>
        <translation>Sign “{title}”?
Signing fixes its number, produces the final file and records the signer; the document can no longer change, only be corrected by a new revision.</translation>
    </message>
    <message>
        <source>签发文书</source>
        <translation>Sign document</translation>
    </message>
    <message>
        <source>正在签发文书…</source>
        <translation>Signing the document…</translation>
    </message>
    <message>
        <source>已签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>“{title}”已签发，文号：{number}</source>
        <translation>“{title}” is signed, number: {number}</translation>
    </message>
    <message>
        <source>正在生成更正版本…</source>
        <translation>Generating the corrected revision…</translation>
    </message>
    <message>
        <source>删除草稿“{title}”及其文件？</source>
        <translation>Delete the draft “{title}” and its file?</translation>
    </message>
    <message>
        <source>文件缺失</source>
        <translation>File missing</translation>
    </message>
    <message>
        <source>文书文件缺失：{path}</source>
        <translation>The document&apos;s file is missing: {path}</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>文书历史：{title}</source>
        <translation>Document history: {title}</translation>
    </message>
    <message>
        <source>服务交底会</source>
        <translation>Kick-off meeting</translation>
    </message>
    <message>
        <source>公钥登记函</source>
        <translation>Key letter</translation>
    </message>
    <message>
        <source>保存登记函和公钥文件…</source>
        <translation>Save letter and public key file…</translation>
    </message>
    <message>
        <source>选择保存登记函和公钥文件的文件夹</source>
        <translation>Choose the folder for the key letter and the public key file</translation>
    </message>
    <message>
        <source>已保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <source>登记函：{pdf}
公钥文件：{pem}

请将两个文件一并发送给承保机构。</source>
        <translation>Key letter: {pdf}
Public key file: {pem}

Send both files to the insurer together.</translation>
    </message>
    <message>
        <source>月末批量…</source>
        <translation>Month-end batch…</translation>
    </message>
    <message>
        <source>导出评审资料包…</source>
        <translation>Export review package…</translation>
    </message>
    <message>
        <source>核验评审资料包…</source>
        <translation>Verify review package…</translation>
    </message>
    <message>
        <source>导出 Word…</source>
        <translation>Export Word…</translation>
    </message>
    <message>
        <source>工作稿</source>
        <translation>Working copy</translation>
    </message>
    <message>
        <source>导出 Word 副本</source>
        <translation>Export Word copy</translation>
    </message>
    <message>
        <source>Word 文档 (*.docx)</source>
        <translation>Word documents (*.docx)</translation>
    </message>
    <message>
        <source>正在导出 Word 副本…</source>
        <translation>Exporting the Word copy…</translation>
    </message>
    <message>
        <source>已导出</source>
        <translation>Exported</translation>
    </message>
    <message>
        <source>Word 副本已写出：{path}</source>
        <translation>Word copy written: {path}</translation>
    </message>
</context>
<context>
    <name>DutiesPanel</name>
    <message>
        <source>星期一</source>
        <translation>Mon</translation>
    </message>
    <message>
        <source>星期二</source>
        <translation>Tue</translation>
    </message>
    <message>
        <source>星期三</source>
        <translation>Wed</translation>
    </message>
    <message>
        <source>星期四</source>
        <translation>Thu</translation>
    </message>
    <message>
        <source>星期五</source>
        <translation>Fri</translation>
    </message>
    <message>
        <source>星期六</source>
        <translation>Sat</translation>
    </message>
    <message>
        <source>星期日</source>
        <translation>Sun</translation>
    </message>
    <message>
        <source>今天</source>
        <translation>today</translation>
    </message>
    <message>
        <source>明天</source>
        <translation>tomorrow</translation>
    </message>
    <message>
        <source>（已逾期）</source>
        <translation> (overdue)</translation>
    </message>
    <message>
        <source>事项</source>
        <translation>Duty</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>内容</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>导出到日历（.ics）…</source>
        <translation>Export to calendar (.ics)…</translation>
    </message>
    <message>
        <source>{n} 项</source>
        <translation>{n} items</translation>
    </message>
    <message>
        <source>全机构</source>
        <translation>Whole agency</translation>
    </message>
    <message>
        <source>
双击打开相关记录</source>
        <translation>
Double-click to open the record</translation>
    </message>
    <message>
        <source>未来 {days} 天内没有到期事项。</source>
        <translation>Nothing falls due in the next {days} days.</translation>
    </message>
    <message>
        <source>未来 {days} 天内到期 {n} 项，其中已逾期 {late} 项；双击打开相关记录。</source>
        <translation>{n} items due in the next {days} days, {late} of them overdue; double-click to open the record.</translation>
    </message>
    <message>
        <source>到期事项 {date}.ics</source>
        <translation>Duties {date}.ics</translation>
    </message>
    <message>
        <source>导出到日历</source>
        <translation>Export to calendar</translation>
    </message>
    <message>
        <source>iCalendar 日历 (*.ics)</source>
        <translation>iCalendar (*.ics)</translation>
    </message>
    <message>
        <source>未导出</source>
        <translation>Not exported</translation>
    </message>
    <message>
        <source>无法写入 {path}：{reason}</source>
        <translation>Cannot write {path}: {reason}</translation>
    </message>
    <message>
        <source>已导出</source>
        <translation>Exported</translation>
    </message>
    <message>
        <source>已写入 {path}，共 {n} 项。可在 Outlook 或 WPS 日历中导入。</source>
        <translation>Wrote {path} with {n} items. Import it into Outlook or WPS calendar.</translation>
    </message>
    <message>
        <source>到期日历（未来 {days} 天）</source>
        <translation>Due calendar (next {days} days)</translation>
    </message>
</context>
<context>
    <name>ExchangeDialogs</name>
    <message>
        <source>正在处理，请等待完成后再关闭。</source>
        <translation>Still working; please wait until it finishes before closing.</translation>
    </message>
    <message>
        <source>导出评审资料包</source>
        <translation>Review package</translation>
    </message>
    <message>
        <source>从 Excel 导入</source>
        <translation>Import from Excel</translation>
    </message>
    <message>
        <source>无权操作</source>
        <translation>Not allowed</translation>
    </message>
    <message>
        <source>您的角色无权进行此操作。</source>
        <translation>Your role may not do this.</translation>
    </message>
    <message>
        <source>核验评审资料包</source>
        <translation>Verify review package</translation>
    </message>
</context>
<context>
    <name>FeeLedger</name>
    <message>
        <source>预算（预防费用拨付）</source>
        <translation>Budget (prevention fee allocated)</translation>
    </message>
    <message>
        <source>服务支出</source>
        <translation>Service expense</translation>
    </message>
    <message>
        <source>调整</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <source>风险辨识与隐患排查</source>
        <translation>Risk identification and hazard inspection</translation>
    </message>
    <message>
        <source>安全教育培训</source>
        <translation>Safety training</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Emergency drill</translation>
    </message>
    <message>
        <source>应急预案编制</source>
        <translation>Emergency plan preparation</translation>
    </message>
    <message>
        <source>服务成果与报告</source>
        <translation>Service results and reports</translation>
    </message>
    <message>
        <source>技术咨询</source>
        <translation>Technical consulting</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>检查</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>演练</source>
        <translation>Drill</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Emergency plan</translation>
    </message>
    <message>
        <source>（已删除）</source>
        <translation> (deleted)</translation>
    </message>
    <message>
        <source>{n} 次未列支</source>
        <translation>{n} not booked</translation>
    </message>
    <message>
        <source>已列支</source>
        <translation>Booked</translation>
    </message>
    <message>
        <source>登记预防费用</source>
        <translation>Record prevention fee</translation>
    </message>
    <message>
        <source>不关联服务记录</source>
        <translation>No service record</translation>
    </message>
    <message>
        <source>元，如 3000 或 3,000.00；调整可为负数</source>
        <translation>CNY, e.g. 3000 or 3,000.00; an adjustment may be negative</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>服务类别</source>
        <translation>Service type</translation>
    </message>
    <message>
        <source>关联服务记录</source>
        <translation>Service record</translation>
    </message>
    <message>
        <source>金额（元）</source>
        <translation>Amount (CNY)</translation>
    </message>
    <message>
        <source>摘要</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>作废台账记录</source>
        <translation>Void ledger entry</translation>
    </message>
    <message>
        <source>{date}&#x3000;{kind}&#x3000;{amount} 元&#x3000;{text}</source>
        <translation>{date}  {kind}  CNY {amount}  {text}</translation>
    </message>
    <message>
        <source>记录</source>
        <translation>Entry</translation>
    </message>
    <message>
        <source>作废原因</source>
        <translation>Reason for voiding</translation>
    </message>
    <message>
        <source>保单(&amp;P)</source>
        <translation>&amp;Policy</translation>
    </message>
    <message>
        <source>按保单开立预算(&amp;B)</source>
        <translation>Open &amp;budget from policy</translation>
    </message>
    <message>
        <source>登记费用(&amp;A)…</source>
        <translation>&amp;Add entry…</translation>
    </message>
    <message>
        <source>作废(&amp;V)…</source>
        <translation>&amp;Void…</translation>
    </message>
    <message>
        <source>服务提供与列支</source>
        <translation>Services delivered and booked</translation>
    </message>
    <message>
        <source>该项目尚未登记安责险保单，无法建立预防费用台账。</source>
        <translation>No safety liability insurance policy is recorded for this project, so there is no prevention-fee ledger.</translation>
    </message>
    <message>
        <source>保单 {no}（{insurer}，{period}）：预算 {budget} 元，调整 {adjust} 元，服务支出 {spent} 元，余额 {balance} 元</source>
        <translation>Policy {no} ({insurer}, {period}): budget CNY {budget}, adjustments CNY {adjust}, services CNY {spent}, balance CNY {balance}</translation>
    </message>
    <message>
        <source>已超支 {amount} 元：预防费用应专款专用、据实列支，请核对。</source>
        <translation>Overspent by CNY {amount}: prevention fees must be spent only on prevention and as actually incurred. Please check.</translation>
    </message>
    <message>
        <source>尚未登记预算。</source>
        <translation>No budget recorded yet.</translation>
    </message>
    <message>
        <source>登记的预算与保单约定的预防费用 {fee} 元不一致。</source>
        <translation>The budget recorded differs from the prevention fee of CNY {fee} stated in the policy.</translation>
    </message>
    <message>
        <source>有 {n} 次已提供的服务尚未列支。</source>
        <translation>{n} service(s) delivered but not yet booked.</translation>
    </message>
    <message>
        <source>台账中还没有记录。</source>
        <translation>The ledger has no entries yet.</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>请填写机构名称</source>
        <translation>Please enter the agency&apos;s name</translation>
    </message>
    <message>
        <source>统一社会信用代码应为 18 位且校验位正确</source>
        <translation>The unified social credit code must have 18 characters and a correct check character</translation>
    </message>
    <message>
        <source>请填写用户名</source>
        <translation>Please enter a user name</translation>
    </message>
    <message>
        <source>用户名不能包含空格</source>
        <translation>The user name cannot contain spaces</translation>
    </message>
    <message>
        <source>请填写管理员姓名</source>
        <translation>Please enter the administrator&apos;s name</translation>
    </message>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords do not match</translation>
    </message>
    <message>
        <source>请填写完整路径（绝对路径）</source>
        <translation>Please enter a full (absolute) path</translation>
    </message>
    <message>
        <source>该路径是一个文件，不是文件夹</source>
        <translation>This path is a file, not a folder</translation>
    </message>
    <message>
        <source>该文件夹无法创建</source>
        <translation>This folder cannot be created</translation>
    </message>
    <message>
        <source>首次使用设置 - {title}</source>
        <translation>First-time setup - {title}</translation>
    </message>
    <message>
        <source>机构信息</source>
        <translation>Agency details</translation>
    </message>
    <message>
        <source>这些信息会出现在文书的抬头和落款中，以后可以在设置中修改。</source>
        <translation>These details appear in the heading and signature block of documents; they can be changed later in Settings.</translation>
    </message>
    <message>
        <source>欢迎使用{title}。它帮助安责险风控机构登记在保项目和检查、跟踪隐患整改到闭环、出具和报送文书，并按通知要求自查。
接下来三步：填写机构信息、创建系统管理员、确认数据存放位置；完成后即可新建项目或从 Excel 导入项目清单。</source>
        <translation>Welcome to {title}. It helps a safety-liability insurance risk-control agency record insured projects and inspections, follow hazards until they are closed, issue and submit documents, and check itself against the notice.
Three steps follow: the agency&apos;s details, the first administrator, and where data is kept; then create projects or import the project list from Excel.</translation>
    </message>
    <message>
        <source>已有备份（例如换了电脑）？可直接从备份恢复，需要备份中系统管理员的用户名和密码。</source>
        <translation>Have a backup (a new computer, for example)? Restore from it directly; you need the user name and password of a system administrator in the backup.</translation>
    </message>
    <message>
        <source>从备份恢复…</source>
        <translation>Restore from backup…</translation>
    </message>
    <message>
        <source>机构名称（必填）</source>
        <translation>Agency name (required)</translation>
    </message>
    <message>
        <source>数据库丢失 - {title}</source>
        <translation>Database missing - {title}</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Telephone</translation>
    </message>
    <message>
        <source>数据库丢失</source>
        <translation>Database missing</translation>
    </message>
    <message>
        <source>不会新建空数据库，数据目录中的文件未做任何改动。</source>
        <translation>No empty database will be created; no file in the data folder has been changed.</translation>
    </message>
    <message>
        <source>从备份恢复需要备份中系统管理员的用户名和密码。也可以取消，把数据库文件放回原处后重新打开程序。</source>
        <translation>Restoring from a backup needs the user name and password of a system administrator in the backup. Or cancel, put the database file back in place and open the program again.</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>System administrator</translation>
    </message>
    <message>
        <source>第一个账户是系统管理员，负责创建其他用户和修改系统设置。</source>
        <translation>The first account is the system administrator, who creates the other users and changes system settings.</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>确认密码</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>数据存放位置</source>
        <translation>Where data is kept</translation>
    </message>
    <message>
        <source>数据库保存在数据目录中；附件和备份可以放在其他磁盘或共享文件夹。</source>
        <translation>The database is kept in the data folder; attachments and backups may be on another disk or a shared folder.</translation>
    </message>
    <message>
        <source>数据目录</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>附件库</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>留空则使用数据目录中的默认文件夹。更换数据目录请设置环境变量 RISKDESK_DATA_DIR 或使用命令行参数 --data-dir。</source>
        <translation>Leave empty to use the default folders inside the data folder. To use another data folder, set the RISKDESK_DATA_DIR environment variable or pass --data-dir on the command line.</translation>
    </message>
    <message>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>选择文件夹</source>
        <translation>Choose a folder</translation>
    </message>
    <message>
        <source>选择备份文件</source>
        <translation>Choose a backup file</translation>
    </message>
    <message>
        <source>正在校验备份并恢复数据…</source>
        <translation>Verifying the backup and restoring the data…</translation>
    </message>
    <message>
        <source>恢复完成（有警告）</source>
        <translation>Restore complete (with warnings)</translation>
    </message>
    <message>
        <source>恢复完成</source>
        <translation>Restore finished</translation>
    </message>
    <message>
        <source>数据已从备份恢复（恢复人：{who}）。程序现在将关闭，请重新打开 RiskDesk，用备份中的账户登录。</source>
        <translation>The data has been restored from the backup (restored by: {who}). The program will now close; open RiskDesk again and sign in with an account from the backup.</translation>
    </message>
</context>
<context>
    <name>HazardActions</name>
    <message>
        <source>下发整改通知</source>
        <translation>Issue rectification notice</translation>
    </message>
    <message>
        <source>登记通知送达</source>
        <translation>Record notice delivered</translation>
    </message>
    <message>
        <source>登记销项申请</source>
        <translation>Record closure submitted</translation>
    </message>
    <message>
        <source>复查销项</source>
        <translation>Verify and close</translation>
    </message>
    <message>
        <source>复查退回</source>
        <translation>Send back</translation>
    </message>
    <message>
        <source>登记拒不整改/拖延整改</source>
        <translation>Record refusal/delay</translation>
    </message>
    <message>
        <source>撤销隐患</source>
        <translation>Cancel hazard</translation>
    </message>
    <message>
        <source>登记隐患</source>
        <translation>Hazard recorded</translation>
    </message>
    <message>
        <source>登记对外报告</source>
        <translation>Record report made</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>邮件</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>Online system</translation>
    </message>
    <message>
        <source>书面</source>
        <translation>In writing</translation>
    </message>
    <message>
        <source>{step}：{number}</source>
        <translation>{step}: {number}</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>签收人 *</source>
        <translation>Received by *</translation>
    </message>
    <message>
        <source>整改后照片 *</source>
        <translation>Photos after rectification *</translation>
    </message>
    <message>
        <source>监理确认人</source>
        <translation>Confirmed by (supervisor)</translation>
    </message>
    <message>
        <source>已现场复查，复查日期：</source>
        <translation>Re-inspected on site on:</translation>
    </message>
    <message>
        <source>复查意见</source>
        <translation>Re-inspection opinion</translation>
    </message>
    <message>
        <source>复查</source>
        <translation>Re-inspection</translation>
    </message>
    <message>
        <source>复查发现的问题，须重新整改的内容</source>
        <translation>What the re-inspection found and what must be redone</translation>
    </message>
    <message>
        <source>退回原因 *</source>
        <translation>Reason for sending back *</translation>
    </message>
    <message>
        <source>拒不整改</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>拖延整改（已过整改期限）</source>
        <translation>Delayed (deadline passed)</translation>
    </message>
    <message>
        <source>经过和责任单位的答复</source>
        <translation>What happened and the responsible unit&apos;s answer</translation>
    </message>
    <message>
        <source>情形</source>
        <translation>Situation</translation>
    </message>
    <message>
        <source>情况说明</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>如：误判、重复登记</source>
        <translation>e.g. misjudged, recorded twice</translation>
    </message>
    <message>
        <source>撤销原因 *</source>
        <translation>Reason for cancelling *</translation>
    </message>
    <message>
        <source>接收人、文书编号等</source>
        <translation>Recipient, document number and the like</translation>
    </message>
    <message>
        <source>{reason}&#x3000;报告对象：{recipient}</source>
        <translation>{reason}, to: {recipient}</translation>
    </message>
    <message>
        <source>报告时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <source>报告方式 *</source>
        <translation>Channel *</translation>
    </message>
    <message>
        <source>经复核不属于重大事故隐患</source>
        <translation>Reviewed: not a major hazard</translation>
    </message>
    <message>
        <source>一级隐患：同时出具停工（局部停工）建议书，并于当日报告承保机构和主管部门。</source>
        <translation>Level 1 hazard: issue the (partial) stop-work suggestion as well, and report to the insurer and the authority the same day.</translation>
    </message>
    <message>
        <source>三、四级隐患由监理单位确认整改后提交</source>
        <translation>Level 3/4: submitted once the supervision unit confirms the rectification</translation>
    </message>
    <message>
        <source>登记后须向承保机构、主管部门和建设单位报告。</source>
        <translation>Once recorded, report to the insurer, the authority and the owner.</translation>
    </message>
    <message>
        <source>复核依据：现场情况与判定标准条款的差别、复核人、复核日期</source>
        <translation>Grounds: how the site differs from the standard&apos;s clause, who reviewed it and when</translation>
    </message>
    <message>
        <source>（请选择等级）</source>
        <translation>(choose a level)</translation>
    </message>
    <message>
        <source>登记后解除与判定标准条款的关联，复核理由记入处理经过和修改记录。整改通知下发后不能再调整等级。</source>
        <translation>Once recorded, the link to the standard&apos;s clause is removed and the reason is kept in the timeline and the change history. The level cannot change after the notice was issued.</translation>
    </message>
    <message>
        <source>复核理由 *</source>
        <translation>Reason *</translation>
    </message>
    <message>
        <source>复核后等级 *</source>
        <translation>Level after review *</translation>
    </message>
</context>
<context>
    <name>HazardDialog</name>
    <message>
        <source>红色</source>
        <translation>Red</translation>
    </message>
    <message>
        <source>橙色</source>
        <translation>Orange</translation>
    </message>
    <message>
        <source>黄色</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <source>蓝色</source>
        <translation>Blue</translation>
    </message>
    <message>
        <source>修改隐患</source>
        <translation>Edit hazard</translation>
    </message>
    <message>
        <source>登记隐患</source>
        <translation>Record hazard</translation>
    </message>
    <message>
        <source>对照重大事故隐患判定标准…</source>
        <translation>Check against the major-hazard standard…</translation>
    </message>
    <message>
        <source>不是重大隐患</source>
        <translation>Not a major hazard</translation>
    </message>
    <message>
        <source>未对照判定条目（一般隐患）</source>
        <translation>No criterion chosen (ordinary hazard)</translation>
    </message>
    <message>
        <source>⚠ 未经核对原文：出具文书前请核对标准原文</source>
        <translation>⚠ Not checked against the original: check the standard before issuing documents</translation>
    </message>
    <message>
        <source>如：高处坠落、物体打击、触电</source>
        <translation>e.g. fall from height, struck by object, electric shock</translation>
    </message>
    <message>
        <source>可能引发安全事故（较严重，须报告承保机构和主管部门）</source>
        <translation>May cause an accident (serious: report to the insurer and the authority)</translation>
    </message>
    <message>
        <source>一、二级隐患必填：整改期间的防范和应急措施</source>
        <translation>Required for level 1/2: precautions and emergency measures until rectified</translation>
    </message>
    <message>
        <source>现场照片（整改前）</source>
        <translation>Site photos (before)</translation>
    </message>
    <message>
        <source>项目 *</source>
        <translation>Project *</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>重大隐患判定</source>
        <translation>Major-hazard judgement</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述 *</source>
        <translation>Description *</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>发现时间</source>
        <translation>Found at</translation>
    </message>
    <message>
        <source>隐患等级 *</source>
        <translation>Level *</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work suggestion</translation>
    </message>
    <message>
        <source>整改措施 *</source>
        <translation>Measures *</translation>
    </message>
    <message>
        <source>整改期限 *</source>
        <translation>Deadline *</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency</translation>
    </message>
    <message>
        <source>责任单位 *</source>
        <translation>Responsible unit *</translation>
    </message>
    <message>
        <source>责任人</source>
        <translation>Responsible person</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>（请选择项目）</source>
        <translation>(choose a project)</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not set)</translation>
    </message>
    <message>
        <source>（不关联检查）</source>
        <translation>(no inspection)</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Choose a project</translation>
    </message>
    <message>
        <source>正在登记隐患…</source>
        <translation>Recording the hazard…</translation>
    </message>
    <message>
        <source>该项目已有一项相似的未销项隐患：
{number}  {location}
{description}
（{reason}）

是否作为该隐患的重复隐患登记，并与之关联？
选择“否”返回修改，不保存。</source>
        <translation>The project already has a similar open hazard:
{number}  {location}
{description}
({reason})

Record this one as a repeat of it and link them?
Choose No to go back without saving.</translation>
    </message>
    <message>
        <source>可能是重复隐患</source>
        <translation>Possibly a repeat hazard</translation>
    </message>
    <message>
        <source>正在保存照片…</source>
        <translation>Saving photos…</translation>
    </message>
    <message>
        <source>部分照片未保存</source>
        <translation>Some photos were not saved</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>（请选择等级）</source>
        <translation>(choose a level)</translation>
    </message>
    <message>
        <source>重大事故隐患：{edition} {clause} {category}</source>
        <translation>Major hazard: {edition} {clause} {category}</translation>
    </message>
    <message>
        <source>重大事故隐患定为一级；如经复核不属于重大事故隐患，请在隐患页登记复核意见。</source>
        <translation>A major hazard is level 1; if a review finds it is not a major hazard, record the review on the hazard&apos;s page.</translation>
    </message>
    <message>
        <source>请选择隐患等级</source>
        <translation>Please choose the hazard level</translation>
    </message>
    <message>
        <source>已登记一级隐患 {number}。一级隐患须立即提出停工或局部停工建议，并于当日报告承保机构和属地建设主管部门。

是否现在起草停工建议书？（草稿生成后交技术负责人签发）</source>
        <translation>Level 1 hazard {number} recorded. A level 1 hazard needs a stop-work or partial stop-work suggestion at once, reported to the insurer and the local authority the same day.

Draft the stop-work suggestion now? (A technical lead signs the draft.)</translation>
    </message>
    <message>
        <source>停工建议书</source>
        <translation>Stop-work suggestion</translation>
    </message>
    <message>
        <source>正在起草停工建议书…</source>
        <translation>Drafting the stop-work suggestion…</translation>
    </message>
</context>
<context>
    <name>HazardPage</name>
    <message>
        <source>整改通知书</source>
        <translation>rectification notice</translation>
    </message>
    <message>
        <source>停工建议书</source>
        <translation>stop-work suggestion</translation>
    </message>
    <message>
        <source>复查销项单</source>
        <translation>closure record</translation>
    </message>
    <message>
        <source>待报告</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>已报告</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>已作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <source>签收人：{v}</source>
        <translation>Received by: {v}</translation>
    </message>
    <message>
        <source>监理确认人：{v}</source>
        <translation>Confirmed by: {v}</translation>
    </message>
    <message>
        <source>复查日期：{v}</source>
        <translation>Re-inspected: {v}</translation>
    </message>
    <message>
        <source>方式：{v}</source>
        <translation>Channel: {v}</translation>
    </message>
    <message>
        <source>报告{v}</source>
        <translation>Reported to {v}</translation>
    </message>
    <message>
        <source>拒不整改</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>拖延整改</source>
        <translation>Delayed</translation>
    </message>
    <message>
        <source>修改…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>修改记录…</source>
        <translation>Change history…</translation>
    </message>
    <message>
        <source>登记报告…</source>
        <translation>Record report…</translation>
    </message>
    <message>
        <source>整改前照片</source>
        <translation>Photos before</translation>
    </message>
    <message>
        <source>整改后照片</source>
        <translation>Photos after</translation>
    </message>
    <message>
        <source>隐患情况</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>处理经过</source>
        <translation>History</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>隐患 {number}</source>
        <translation>Hazard {number}</translation>
    </message>
    <message>
        <source>重大事故隐患</source>
        <translation>Major hazard</translation>
    </message>
    <message>
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>已登记拒改/拖延</source>
        <translation>Refusal/delay recorded</translation>
    </message>
    <message>
        <source>重复 {number}</source>
        <translation>Repeats {number}</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>判定依据</source>
        <translation>Criterion</translation>
    </message>
    <message>
        <source>发现时间</source>
        <translation>Found at</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work suggestion</translation>
    </message>
    <message>
        <source>重复隐患</source>
        <translation>Repeat of</translation>
    </message>
    <message>
        <source>登记人</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <source>生成{what}草稿</source>
        <translation>Draft {what}</translation>
    </message>
    <message>
        <source>正在生成文书草稿…</source>
        <translation>Drafting the document…</translation>
    </message>
    <message>
        <source>已生成“{title}”草稿。是否现在打开查看？</source>
        <translation>The draft &quot;{title}&quot; is ready. Open it now?</translation>
    </message>
    <message>
        <source>文书草稿</source>
        <translation>Document draft</translation>
    </message>
    <message>
        <source>隐患报告单</source>
        <translation>hazard report form</translation>
    </message>
    <message>
        <source>已签发（{number}）</source>
        <translation>Signed ({number})</translation>
    </message>
    <message>
        <source>草稿待技术负责人签发（销项前须签发）</source>
        <translation>Draft awaiting a technical lead&apos;s signature (needed before closing)</translation>
    </message>
    <message>
        <source>尚未起草（销项前须签发）</source>
        <translation>Not drafted yet (must be signed before closing)</translation>
    </message>
    <message>
        <source>对外报告</source>
        <translation>Reports owed</translation>
    </message>
    <message>
        <source>重大事故隐患定为一级；只有经复核不属于重大事故隐患（须写明理由）才能降低等级。</source>
        <translation>A major hazard is level 1; only a review that finds it is not a major hazard (with the reason) lowers the level.</translation>
    </message>
</context>
<context>
    <name>HazardsPage</name>
    <message>
        <source>（逾期）</source>
        <translation> (overdue)</translation>
    </message>
    <message>
        <source> ★重大</source>
        <translation> ★major</translation>
    </message>
    <message>
        <source>正在查询…</source>
        <translation>Querying…</translation>
    </message>
    <message>
        <source>已加载 {n} 条…</source>
        <translation>{n} loaded…</translation>
    </message>
    <message>
        <source>登记隐患…</source>
        <translation>Record hazard…</translation>
    </message>
    <message>
        <source>导出 Excel…</source>
        <translation>Export to Excel…</translation>
    </message>
    <message>
        <source>显示全部隐患</source>
        <translation>Show all hazards</translation>
    </message>
    <message>
        <source>还没有登记隐患。检查中发现的问题在这里登记（Ctrl+N），也可以从 Excel 导入已有的隐患清单。</source>
        <translation>No hazards recorded yet. Record what an inspection finds here (Ctrl+N), or import an existing hazard list from Excel.</translation>
    </message>
    <message>
        <source>从 Excel 导入…</source>
        <translation>Import from Excel…</translation>
    </message>
    <message>
        <source>没有符合条件的隐患。点“清除筛选”或改变搜索词再看。</source>
        <translation>No hazards match. Press &quot;Clear filters&quot; or change the search.</translation>
    </message>
    <message>
        <source>仅显示：{what}（{n} 条）</source>
        <translation>Showing only: {what} ({n})</translation>
    </message>
    <message>
        <source>正在导出隐患台账…</source>
        <translation>Exporting the hazard register…</translation>
    </message>
    <message>
        <source>已导出 {n} 条隐患到：
{path}</source>
        <translation>Exported {n} hazards to:
{path}</translation>
    </message>
    <message>
        <source>导出完成</source>
        <translation>Export finished</translation>
    </message>
    <message>
        <source>隐患台账 {date}.xlsx</source>
        <translation>Hazard register {date}.xlsx</translation>
    </message>
    <message>
        <source>导出当前视图</source>
        <translation>Export the current view</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <source>共 {n} 条</source>
        <translation>{n} in total</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>该记录还没有变更历史。</source>
        <translation>This record has no history yet.</translation>
    </message>
    <message>
        <source>变更历史</source>
        <translation>History</translation>
    </message>
</context>
<context>
    <name>HolidaysPanel</name>
    <message>
        <source>管理员录入</source>
        <translation>Entered by an administrator</translation>
    </message>
    <message>
        <source>内置（国务院办公厅通知）</source>
        <translation>Built in (State Council notice)</translation>
    </message>
    <message>
        <source>该年度节假日安排未载入</source>
        <translation>Holiday arrangement for this year not loaded</translation>
    </message>
    <message>
        <source>录入节假日安排</source>
        <translation>Enter holiday arrangement</translation>
    </message>
    <message>
        <source>按国务院办公厅部分节假日安排的通知录入，每行一个日期或区间，如 2027-01-01 或 2027-02-06/2027-02-13。</source>
        <translation>Enter as the State Council General Office notice on holiday arrangements gives it, one date or range per line, e.g. 2027-01-01 or 2027-02-06/2027-02-13.</translation>
    </message>
    <message>
        <source>下列为内置的国务院办公厅通知安排。保存后该年度以此处录入的全部日期为准（不再使用内置数据），请只改需要更正的日期。</source>
        <translation>Below is the built-in arrangement from the State Council General Office&apos;s notice. Once saved, the dates entered here are used for the whole year (the built-in data no longer is): change only the dates that need correcting.</translation>
    </message>
    <message>
        <source>年度</source>
        <translation>Year</translation>
    </message>
    <message>
        <source>放假日期</source>
        <translation>Holidays</translation>
    </message>
    <message>
        <source>调休上班日期</source>
        <translation>Make-up working days</translation>
    </message>
    <message>
        <source>投诉答复期限按工作日计算。内置数据随程序更新；每年11月前后发布的下一年度通知，可由系统管理员先行录入。未载入的年度，期限会注明“该年度节假日安排未载入”。</source>
        <translation>Complaint reply deadlines count working days. The built-in data is updated with the program; the next year&apos;s notice, published around November, can be entered by an administrator in the meantime. For a year not loaded, deadlines are marked “Holiday arrangement for this year not loaded”.</translation>
    </message>
    <message>
        <source>录入年度…</source>
        <translation>Enter a year…</translation>
    </message>
    <message>
        <source>修改…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>删除录入</source>
        <translation>Remove entry</translation>
    </message>
    <message>
        <source>删除{year}年手工录入的节假日安排？</source>
        <translation>Remove the holiday arrangement entered by hand for {year}?</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>项目及保单清单</source>
        <translation>Projects and policies</translation>
    </message>
    <message>
        <source>隐患清单</source>
        <translation>Hazard list</translation>
    </message>
    <message>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <source>预览</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>全部导入</source>
        <translation>Import all</translation>
    </message>
    <message>
        <source>导入内容</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Excel 文件</source>
        <translation>Excel file</translation>
    </message>
    <message>
        <source>先预览：程序会逐行检查并列出每个问题所在的工作表、行和列，不写入任何数据。只有全部行都没有问题时才能导入；导入要么全部成功，要么一条也不写入。</source>
        <translation>Preview first: every row is checked and each problem is listed by sheet, row and column, without writing anything. Only a file without problems can be imported, and the import writes every row or none.</translation>
    </message>
    <message>
        <source>您的角色不能导入数据。</source>
        <translation>Your role cannot import data.</translation>
    </message>
    <message>
        <source>选择要导入的 Excel 文件</source>
        <translation>Choose the Excel file to import</translation>
    </message>
    <message>
        <source>正在读取工作簿…</source>
        <translation>Reading the workbook…</translation>
    </message>
    <message>
        <source>正在逐行检查…</source>
        <translation>Checking every row…</translation>
    </message>
    <message>
        <source>工作表“{sheet}”：数据 {rows} 行，可新增 {new} 条，已存在跳过 {existing} 条，问题 {problems} 个。</source>
        <translation>Sheet “{sheet}”: {rows} rows, {new} new, {existing} already present (skipped), {problems} problems.</translation>
    </message>
    <message>
        <source>已导入 {new} 条。</source>
        <translation>{new} imported.</translation>
    </message>
    <message>
        <source>列对应：{mapping}</source>
        <translation>Columns: {mapping}</translation>
    </message>
    <message>
        <source>{rows} 等，共 {n} 行</source>
        <translation>{rows} etc., {n} rows in all</translation>
    </message>
    <message>
        <source>第 {rows} 行在 Excel 中被隐藏，已一并导入。</source>
        <translation>Row(s) {rows} are hidden in Excel and were imported with the other rows.</translation>
    </message>
    <message>
        <source>第 {rows} 行在 Excel 中被隐藏，导入时会与其他行一并导入；如不需要，请在 Excel 中删除这些行。</source>
        <translation>Row(s) {rows} are hidden in Excel and will be imported with the other rows; if you don&apos;t want them, delete them in Excel.</translation>
    </message>
    <message>
        <source>正在导入…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <source>导入完成</source>
        <translation>Import finished</translation>
    </message>
    <message>
        <source>已导入 {new} 条，已存在跳过 {existing} 条。</source>
        <translation>{new} imported, {existing} already present (skipped).</translation>
    </message>
    <message>
        <source>发现 {count} 个问题，未写入任何数据。请按列表修改 Excel 文件后重新预览。</source>
        <translation>{count} problems found; nothing was written. Correct the Excel file as listed and preview again.</translation>
    </message>
    <message>
        <source>导入未执行</source>
        <translation>Import not done</translation>
    </message>
    <message>
        <source>工作表</source>
        <translation>Sheet</translation>
    </message>
    <message>
        <source>自动选择（不读取隐藏的工作表）</source>
        <translation>Automatic (hidden sheets are not read)</translation>
    </message>
    <message>
        <source>{sheet}（隐藏）</source>
        <translation>{sheet} (hidden)</translation>
    </message>
    <message>
        <source>工作簿中有隐藏的工作表：{sheets}。如需导入，请在此选择。</source>
        <translation>The workbook has hidden sheets: {sheets}. To import one, choose it here.</translation>
    </message>
    <message>
        <source>未读取隐藏的工作表：{sheets}（如需导入，请在“工作表”中选择）</source>
        <translation>Hidden sheets not read: {sheets} (to import one, choose it under “Sheet”)</translation>
    </message>
</context>
<context>
    <name>InspectionDialog</name>
    <message>
        <source>待登记</source>
        <translation>Not yet recorded</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection record</translation>
    </message>
    <message>
        <source>新建检查</source>
        <translation>New inspection</translation>
    </message>
    <message>
        <source>检查信息</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>如 晴 28℃</source>
        <translation>e.g. sunny, 28 °C</translation>
    </message>
    <message>
        <source>检查范围、过程和总体情况</source>
        <translation>Scope, course and overall findings of the inspection</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>检查类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>检查日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stage</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>关键工序</source>
        <translation>Key procedure</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspectors</translation>
    </message>
    <message>
        <source>天气</source>
        <translation>Weather</translation>
    </message>
    <message>
        <source>检查情况</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>双方确认(&amp;C)</source>
        <translation>&amp;Confirm by both sides</translation>
    </message>
    <message>
        <source>项目方确认人</source>
        <translation>Confirmed on site by</translation>
    </message>
    <message>
        <source>（不指定）</source>
        <translation>(not specified)</translation>
    </message>
    <message>
        <source>尚无在建项目，请先新建项目。</source>
        <translation>There is no project under construction yet. Create a project first.</translation>
    </message>
    <message>
        <source>超危大</source>
        <translation>beyond-scale dangerous works</translation>
    </message>
    <message>
        <source>危大</source>
        <translation>dangerous works</translation>
    </message>
    <message>
        <source>一、二级风险源核查（全覆盖检查须逐项核查）</source>
        <translation>Level 1/2 risk sources (a full-coverage inspection verifies each one)</translation>
    </message>
    <message>
        <source>全部核查(&amp;A)</source>
        <translation>Verify &amp;all</translation>
    </message>
    <message>
        <source>已核查 {done} / {total} 项</source>
        <translation>{done} of {total} verified</translation>
    </message>
    <message>
        <source>该项目没有在用的一、二级风险源（可在项目的“风险源”页登记）。</source>
        <translation>The project has no active level 1/2 risk source (register them on the project&apos;s Risk sources tab).</translation>
    </message>
    <message>
        <source>发现的隐患</source>
        <translation>Hazards found</translation>
    </message>
    <message>
        <source>留空则按隐患等级的默认整改期限</source>
        <translation>Leave empty for the default deadline of the hazard level</translation>
    </message>
    <message>
        <source>一、二级隐患必填</source>
        <translation>Required for level 1 and 2</translation>
    </message>
    <message>
        <source>加入清单(&amp;J)</source>
        <translation>Add to the &amp;list</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency</translation>
    </message>
    <message>
        <source>保存时逐条登记并编号；双击待登记的隐患可取回修改，Delete 键移除。</source>
        <translation>Each hazard is recorded and numbered on Save; double-click a pending hazard to edit it again, Delete removes it.</translation>
    </message>
    <message>
        <source>详细登记(&amp;H)…</source>
        <translation>Full &amp;hazard form…</translation>
    </message>
    <message>
        <source>在隐患登记窗口中填写全部信息（照片、重大隐患判定、责任人等）；新检查会先保存。</source>
        <translation>Record the hazard with every detail (photos, major-hazard item, responsible person…); a new inspection is saved first.</translation>
    </message>
    <message>
        <source>从清单中移除待登记的隐患“{text}”？</source>
        <translation>Remove the pending hazard “{text}” from the list?</translation>
    </message>
    <message>
        <source>移除隐患</source>
        <translation>Remove hazard</translation>
    </message>
    <message>
        <source>本次登记了 {n} 项一级隐患，须立即提出停工或局部停工建议，并于当日报告承保机构和属地建设主管部门。

是否现在起草停工建议书？（草稿生成后交技术负责人签发）</source>
        <translation>{n} level 1 hazard(s) recorded. Each needs a stop-work or partial stop-work suggestion at once, reported to the insurer and the local authority the same day.

Draft the stop-work suggestions now? (A technical lead signs the drafts.)</translation>
    </message>
    <message>
        <source>停工建议书</source>
        <translation>Stop-work suggestion</translation>
    </message>
    <message>
        <source>正在起草停工建议书…</source>
        <translation>Drafting the stop-work suggestions…</translation>
    </message>
    <message>
        <source>从文件夹导入照片…</source>
        <translation>Import photos from a folder…</translation>
    </message>
    <message>
        <source>按拍摄时间把手机或微信导出的照片分组，归入新的或已登记的隐患；新检查会先保存。</source>
        <translation>Group the photos a phone or WeChat saved by capture time and put them on new or recorded hazards; a new inspection is saved first.</translation>
    </message>
</context>
<context>
    <name>InspectionsPage</name>
    <message>
        <source>未确认</source>
        <translation>Not confirmed</translation>
    </message>
    <message>
        <source>全部日期</source>
        <translation>Any date</translation>
    </message>
    <message>
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <source>本季度</source>
        <translation>This quarter</translation>
    </message>
    <message>
        <source>本年度</source>
        <translation>This year</translation>
    </message>
    <message>
        <source>搜索项目编号或名称</source>
        <translation>Search project number or name</translation>
    </message>
    <message>
        <source>全部类型</source>
        <translation>All types</translation>
    </message>
    <message>
        <source>只看未双方确认</source>
        <translation>Not yet confirmed only</translation>
    </message>
    <message>
        <source>新建检查(&amp;N)…</source>
        <translation>&amp;New inspection…</translation>
    </message>
    <message>
        <source>现场草稿…</source>
        <translation>Site drafts…</translation>
    </message>
    <message>
        <source>在“现场采集”中查看手机为所选检查发来的草稿</source>
        <translation>See in Site capture the drafts phones sent for the selected inspection</translation>
    </message>
    <message>
        <source>还没有检查记录。选好项目后新建检查，记录检查内容和发现的隐患。</source>
        <translation>No inspections yet. Choose a project and create an inspection to record what was checked and the hazards found.</translation>
    </message>
    <message>
        <source>新建检查…</source>
        <translation>New inspection…</translation>
    </message>
    <message>
        <source>没有符合条件的检查记录。清除搜索词或把筛选改回“全部”再看。</source>
        <translation>No inspections match. Clear the search or set the filters back to &quot;all&quot;.</translation>
    </message>
    <message>
        <source>共 {n} 次检查</source>
        <translation>{n} inspections</translation>
    </message>
    <message>
        <source>全部检查人员</source>
        <translation>All inspectors</translation>
    </message>
    <message>
        <source>现场草稿（{n}）…</source>
        <translation>Site drafts ({n})…</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>一级隐患当日报告</source>
        <translation>Same-day report of a level-1 hazard</translation>
    </message>
    <message>
        <source>一级（重大）</source>
        <translation>Level 1 (major)</translation>
    </message>
    <message>
        <source>一般生产安全事故</source>
        <translation>General production-safety accident</translation>
    </message>
    <message>
        <source>三级（一般）</source>
        <translation>Level 3 (general)</translation>
    </message>
    <message>
        <source>中风险</source>
        <translation>Medium risk</translation>
    </message>
    <message>
        <source>二级（较大）</source>
        <translation>Level 2 (serious)</translation>
    </message>
    <message>
        <source>低风险</source>
        <translation>Low risk</translation>
    </message>
    <message>
        <source>佐证材料</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>停工</source>
        <translation>Stop work</translation>
    </message>
    <message>
        <source>全覆盖检查</source>
        <translation>Full-coverage inspection</translation>
    </message>
    <message>
        <source>关键工序检查</source>
        <translation>Key-procedure inspection</translation>
    </message>
    <message>
        <source>其他单位</source>
        <translation>Other organisation</translation>
    </message>
    <message>
        <source>内勤文员</source>
        <translation>Office clerk</translation>
    </message>
    <message>
        <source>危大工程专项检查</source>
        <translation>Targeted inspection of a hazardous work</translation>
    </message>
    <message>
        <source>只读审阅</source>
        <translation>Read-only reviewer</translation>
    </message>
    <message>
        <source>四级（低）</source>
        <translation>Level 4 (low)</translation>
    </message>
    <message>
        <source>在建</source>
        <translation>Under construction</translation>
    </message>
    <message>
        <source>在档</source>
        <translation>Archived</translation>
    </message>
    <message>
        <source>复查</source>
        <translation>Re-inspection</translation>
    </message>
    <message>
        <source>局部停工</source>
        <translation>Partial stop work</translation>
    </message>
    <message>
        <source>已下发通知</source>
        <translation>Notice issued</translation>
    </message>
    <message>
        <source>已批准销毁</source>
        <translation>Destruction approved</translation>
    </message>
    <message>
        <source>已撤销</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>已申请销毁</source>
        <translation>Destruction requested</translation>
    </message>
    <message>
        <source>已登记</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <source>已签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>已被替代</source>
        <translation>Superseded</translation>
    </message>
    <message>
        <source>已销毁</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>已销项</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>市政基础设施工程</source>
        <translation>Municipal infrastructure works</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>待复查</source>
        <translation>Awaiting re-inspection</translation>
    </message>
    <message>
        <source>房屋建筑工程</source>
        <translation>Building works</translation>
    </message>
    <message>
        <source>扫描件</source>
        <translation>Scan</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>技术负责人</source>
        <translation>Technical lead</translation>
    </message>
    <message>
        <source>拒不整改报告</source>
        <translation>Refusal report</translation>
    </message>
    <message>
        <source>拖延整改报告</source>
        <translation>Delay report</translation>
    </message>
    <message>
        <source>整改中</source>
        <translation>Rectifying</translation>
    </message>
    <message>
        <source>整改前</source>
        <translation>Before rectification</translation>
    </message>
    <message>
        <source>整改后</source>
        <translation>After rectification</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>无需停工</source>
        <translation>No stop needed</translation>
    </message>
    <message>
        <source>日常巡查</source>
        <translation>Routine patrol</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <source>漏判重大隐患</source>
        <translation>Missed major hazard</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>竣工</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>System administrator</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>较严重二级隐患报告</source>
        <translation>Report of a serious level-2 hazard</translation>
    </message>
    <message>
        <source>较大及以上生产安全事故</source>
        <translation>Larger or worse production-safety accident</translation>
    </message>
    <message>
        <source>阶段检查</source>
        <translation>Stage inspection</translation>
    </message>
    <message>
        <source>首次风险辨识</source>
        <translation>First risk identification</translation>
    </message>
    <message>
        <source>高风险</source>
        <translation>High risk</translation>
    </message>
</context>
<context>
    <name>LetterheadPanel</name>
    <message>
        <source>上传…</source>
        <translation>Upload…</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>（未设置）</source>
        <translation>(not set)</translation>
    </message>
    <message>
        <source>机构标志和信笺行印在每份文书的页眉；印章图片只印在已签发文书的落款处（草稿不印）；签名图片印在本人签发的文书的签字栏。图片须为 PNG 或 JPEG，印章须为背景透明的 PNG。</source>
        <translation>The logo and the letterhead line print in the header of every document; the seal prints over the agency&apos;s sign-off only on signed documents (never on drafts); a signature image prints in the sign-off box of documents its owner signed. Images must be PNG or JPEG; the seal must be a PNG with a transparent background.</translation>
    </message>
    <message>
        <source>留空则印机构地址和电话</source>
        <translation>Leave empty to print the agency&apos;s address and telephone</translation>
    </message>
    <message>
        <source>保存信笺行</source>
        <translation>Save letterhead line</translation>
    </message>
    <message>
        <source>机构信笺与印章（管理员）</source>
        <translation>Agency letterhead and seal (administrators)</translation>
    </message>
    <message>
        <source>机构标志</source>
        <translation>Agency logo</translation>
    </message>
    <message>
        <source>信笺行</source>
        <translation>Letterhead line</translation>
    </message>
    <message>
        <source>印章图片</source>
        <translation>Seal image</translation>
    </message>
    <message>
        <source>我的签名图片</source>
        <translation>My signature image</translation>
    </message>
    <message>
        <source>签名图片</source>
        <translation>Signature image</translation>
    </message>
    <message>
        <source>无法读取文件</source>
        <translation>The file could not be read</translation>
    </message>
    <message>
        <source>选择机构标志图片</source>
        <translation>Choose the agency logo image</translation>
    </message>
    <message>
        <source>选择印章图片（背景透明的 PNG）</source>
        <translation>Choose the seal image (PNG with a transparent background)</translation>
    </message>
    <message>
        <source>删除机构标志？</source>
        <translation>Remove the agency logo?</translation>
    </message>
    <message>
        <source>删除印章图片？此后签发的文书不再印章；已签发的文书不变。</source>
        <translation>Remove the seal image? Documents signed from now on carry no seal; signed documents stay as they are.</translation>
    </message>
    <message>
        <source>删除图片</source>
        <translation>Remove image</translation>
    </message>
    <message>
        <source>选择签名图片</source>
        <translation>Choose the signature image</translation>
    </message>
    <message>
        <source>删除我的签名图片？已签发的文书不变。</source>
        <translation>Remove my signature image? Signed documents stay as they are.</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>已锁定。当前用户：{name}（{role}）</source>
        <translation>Locked. Signed in: {name} ({role})</translation>
    </message>
    <message>
        <source>请输入 {username} 的密码</source>
        <translation>Password of {username}</translation>
    </message>
    <message>
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>切换用户…</source>
        <translation>Switch user…</translation>
    </message>
    <message>
        <source>请输入密码。</source>
        <translation>Enter the password.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>登录 - {title}</source>
        <translation>Sign in - {title}</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>请输入用户名和密码。</source>
        <translation>Please enter your user name and password.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>正在读取…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>打开数据文件夹</source>
        <translation>Open data folder</translation>
    </message>
    <message>
        <source>锁定(&amp;L)</source>
        <translation>&amp;Lock</translation>
    </message>
    <message>
        <source>切换用户(&amp;U)…</source>
        <translation>Switch &amp;user…</translation>
    </message>
    <message>
        <source>退出(&amp;Q)</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>编辑(&amp;E)</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>刷新当前页(&amp;R)</source>
        <translation>&amp;Refresh page</translation>
    </message>
    <message>
        <source>设置(&amp;S)…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>显示导航栏</source>
        <translation>Show navigation</translation>
    </message>
    <message>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>关于(&amp;A)…</source>
        <translation>&amp;About…</translation>
    </message>
    <message>
        <source>打开日志文件夹</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <source>关于 Qt</source>
        <translation>About Qt</translation>
    </message>
    <message>
        <source>导出评审资料包(&amp;B)…</source>
        <translation>Export review package(&amp;B)…</translation>
    </message>
    <message>
        <source>核验评审资料包(&amp;V)…</source>
        <translation>Verify review package(&amp;V)…</translation>
    </message>
    <message>
        <source>从 Excel 导入(&amp;M)…</source>
        <translation>Import from Excel(&amp;M)…</translation>
    </message>
    <message>
        <source>登记隐患(&amp;H)…</source>
        <translation>Record &amp;hazard…</translation>
    </message>
    <message>
        <source>导出当前视图(&amp;X)…</source>
        <translation>E&amp;xport current view…</translation>
    </message>
    <message>
        <source>查找(&amp;F)</source>
        <translation>&amp;Find</translation>
    </message>
    <message>
        <source>新建项目(&amp;P)…</source>
        <translation>New &amp;project…</translation>
    </message>
    <message>
        <source>新建检查(&amp;I)…</source>
        <translation>New &amp;inspection…</translation>
    </message>
    <message>
        <source>月末批量(&amp;N)…</source>
        <translation>Mo&amp;nth-end batch…</translation>
    </message>
    <message>
        <source>无权操作</source>
        <translation>Not allowed</translation>
    </message>
    <message>
        <source>您的角色无权进行此操作。</source>
        <translation>Your role does not allow this.</translation>
    </message>
    <message>
        <source>&lt;h3&gt;{title}&lt;/h3&gt;&lt;p&gt;版本 {version}&lt;/p&gt;&lt;p&gt;为安责险事故预防服务风控机构设计：项目、隐患闭环、检查、培训演练、档案与文书。&lt;/p&gt;&lt;p&gt;数据库：{database}&lt;/p&gt;&lt;p&gt;界面基于 Qt {qt}（PySide6 {pyside}）；内置字体文泉驿微米黑（Apache-2.0）。&lt;/p&gt;</source>
        <translation>&lt;h3&gt;{title}&lt;/h3&gt;&lt;p&gt;Version {version}&lt;/p&gt;&lt;p&gt;For risk-control agencies providing accident-prevention services under construction safety-liability insurance: projects, hazards to closure, inspections, training and drills, archives and documents.&lt;/p&gt;&lt;p&gt;Database: {database}&lt;/p&gt;&lt;p&gt;Built on Qt {qt} (PySide6 {pyside}); bundled font WenQuanYi Micro Hei (Apache-2.0).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>无法打开文件夹</source>
        <translation>Cannot open the folder</translation>
    </message>
    <message>
        <source>现场采集(&amp;C)…</source>
        <translation>Site &amp;capture…</translation>
    </message>
</context>
<context>
    <name>MeetingDialogs</name>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>风控机构</source>
        <translation>Risk-control agency</translation>
    </message>
    <message>
        <source>服务范围</source>
        <translation>Scope of service</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plan</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>报告途径</source>
        <translation>Reporting routes</translation>
    </message>
    <message>
        <source>安全管理</source>
        <translation>Safety management</translation>
    </message>
    <message>
        <source>文明施工</source>
        <translation>Civilised construction</translation>
    </message>
    <message>
        <source>脚手架</source>
        <translation>Scaffolding</translation>
    </message>
    <message>
        <source>基坑工程</source>
        <translation>Excavation works</translation>
    </message>
    <message>
        <source>模板支架</source>
        <translation>Formwork supports</translation>
    </message>
    <message>
        <source>高处作业</source>
        <translation>Work at height</translation>
    </message>
    <message>
        <source>施工用电</source>
        <translation>Site electricity</translation>
    </message>
    <message>
        <source>塔式起重机与起重吊装</source>
        <translation>Tower cranes and lifting</translation>
    </message>
    <message>
        <source>施工升降机与物料提升机</source>
        <translation>Construction hoists and material lifts</translation>
    </message>
    <message>
        <source>施工机具</source>
        <translation>Construction machinery</translation>
    </message>
    <message>
        <source>签到表扫描件 (*.pdf *.jpg *.jpeg *.png *.heic)</source>
        <translation>Scanned sign-in sheet (*.pdf *.jpg *.jpeg *.png *.heic)</translation>
    </message>
    <message>
        <source>单位类别</source>
        <translation>Party</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>职务</source>
        <translation>Position</translation>
    </message>
    <message>
        <source>添加参会人员(&amp;A)</source>
        <translation>&amp;Add attendee</translation>
    </message>
    <message>
        <source>删除此行</source>
        <translation>Remove this line</translation>
    </message>
    <message>
        <source>登记服务交底会</source>
        <translation>Record kick-off meeting</translation>
    </message>
    <message>
        <source>修改服务交底会记录</source>
        <translation>Edit kick-off meeting record</translation>
    </message>
    <message>
        <source>如：项目部会议室</source>
        <translation>e.g. site office meeting room</translation>
    </message>
    <message>
        <source>投保单位已确认本记录</source>
        <translation>The insured has confirmed this record</translation>
    </message>
    <message>
        <source>确认人姓名</source>
        <translation>Name of the person confirming</translation>
    </message>
    <message>
        <source>已附签到表 {n} 份；选择文件再添加一份</source>
        <translation>{n} sign-in sheet(s) attached; choose a file to add another</translation>
    </message>
    <message>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>会议日期</source>
        <translation>Meeting date</translation>
    </message>
    <message>
        <source>会议地点</source>
        <translation>Place of the meeting</translation>
    </message>
    <message>
        <source>参会人员</source>
        <translation>Attendees</translation>
    </message>
    <message>
        <source>交底内容</source>
        <translation>Topics explained</translation>
    </message>
    <message>
        <source>内容说明</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>双方确认</source>
        <translation>Confirmation by both parties</translation>
    </message>
    <message>
        <source>签到表（已签字）</source>
        <translation>Signed sign-in sheet</translation>
    </message>
    <message>
        <source>选择签到表扫描件</source>
        <translation>Choose the scanned sign-in sheet</translation>
    </message>
    <message>
        <source>登记安全生产标准化建设协助</source>
        <translation>Record standardisation assistance</translation>
    </message>
    <message>
        <source>修改安全生产标准化建设协助</source>
        <translation>Edit standardisation assistance</translation>
    </message>
    <message>
        <source>清单以外的检查内容（可选）</source>
        <translation>Items checked beyond the list (optional)</translation>
    </message>
    <message>
        <source>已跟踪复查</source>
        <translation>Followed up</translation>
    </message>
    <message>
        <source>协助日期</source>
        <translation>Date of assistance</translation>
    </message>
    <message>
        <source>检查项目</source>
        <translation>Items checked</translation>
    </message>
    <message>
        <source>其他检查内容</source>
        <translation>Other items checked</translation>
    </message>
    <message>
        <source>提出的建议</source>
        <translation>Advice given</translation>
    </message>
    <message>
        <source>跟踪复查</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>复查结果</source>
        <translation>Follow-up result</translation>
    </message>
    <message>
        <source>删除原因</source>
        <translation>Reason for deleting</translation>
    </message>
</context>
<context>
    <name>MeetingsPanel</name>
    <message>
        <source>{name} {date} 确认</source>
        <translation>Confirmed by {name} on {date}</translation>
    </message>
    <message>
        <source>未确认</source>
        <translation>Not confirmed</translation>
    </message>
    <message>
        <source>待复查</source>
        <translation>Follow-up pending</translation>
    </message>
    <message>
        <source>尚未登记服务交底会。</source>
        <translation>No kick-off meeting recorded yet.</translation>
    </message>
    <message>
        <source>服务开始时与投保单位召开服务交底会。记录登记了投保单位确认人和确认日期（经双方确认）后，计入合规自查。</source>
        <translation>Hold a kick-off meeting with the insured when the service starts. Once the record names who confirmed it for the insured and when (confirmed by both parties), it counts in the self-check.</translation>
    </message>
    <message>
        <source>登记交底会(&amp;K)…</source>
        <translation>Record &amp;kick-off meeting…</translation>
    </message>
    <message>
        <source>修改…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>删除…</source>
        <translation>Delete…</translation>
    </message>
    <message>
        <source>生成交底会记录草稿</source>
        <translation>Draft the kick-off meeting record</translation>
    </message>
    <message>
        <source>删除服务交底会记录（{date}）</source>
        <translation>Delete kick-off meeting record ({date})</translation>
    </message>
    <message>
        <source>尚无安全生产标准化建设协助记录。</source>
        <translation>No standardisation assistance recorded yet.</translation>
    </message>
    <message>
        <source>登记协助(&amp;S)…</source>
        <translation>Record a&amp;ssistance…</translation>
    </message>
    <message>
        <source>修改或登记复查…</source>
        <translation>Edit or record follow-up…</translation>
    </message>
    <message>
        <source>删除安全生产标准化建设协助记录（{date}）</source>
        <translation>Delete standardisation assistance record ({date})</translation>
    </message>
</context>
<context>
    <name>MonthEndDialog</name>
    <message>
        <source>未生成</source>
        <translation>Not drafted</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>已签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>月末批量：选择期间和范围</source>
        <translation>Month-end batch: period and scope</translation>
    </message>
    <message>
        <source>将一次生成该期间内（月、季、年末）应出具的隐患排查清单、安全生产分析和风险评估报告。</source>
        <translation>Drafts in one run the hazard lists, safety analyses and risk assessments due for the months, quarters and years ending in the period.</translation>
    </message>
    <message>
        <source>已审阅</source>
        <translation>Reviewed</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>月末批量 {period}</source>
        <translation>Month-end batch {period}</translation>
    </message>
    <message>
        <source>生成全部草稿</source>
        <translation>Draft all</translation>
    </message>
    <message>
        <source>签发本行</source>
        <translation>Sign this row</translation>
    </message>
    <message>
        <source>签发已审阅</source>
        <translation>Sign reviewed</translation>
    </message>
    <message>
        <source>批量登记报送</source>
        <translation>Log submissions</translation>
    </message>
    <message>
        <source>报送方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>报送时间</source>
        <translation>Submitted at</translation>
    </message>
    <message>
        <source>应出具 {n} 份：未生成 {none}，草稿 {draft}，已签发 {signed}。预览草稿后勾选“已审阅”，再签发。</source>
        <translation>{n} due: {none} not drafted, {draft} drafts, {signed} signed. Preview each draft, tick “Reviewed”, then sign.</translation>
    </message>
    <message>
        <source>尚未生成草稿。</source>
        <translation>Not drafted yet.</translation>
    </message>
    <message>
        <source>{n} 份未能完成，原因见各行“结果”。</source>
        <translation>{n} could not be done; see each row&apos;s “Result”.</translation>
    </message>
    <message>
        <source>已取消；已完成的文书已保存。</source>
        <translation>Cancelled; the documents already done are kept.</translation>
    </message>
    <message>
        <source>正在生成草稿…</source>
        <translation>Drafting…</translation>
    </message>
    <message>
        <source>请先预览草稿并勾选“已审阅”。</source>
        <translation>Preview the drafts and tick “Reviewed” first.</translation>
    </message>
    <message>
        <source>正在签发…</source>
        <translation>Signing…</translation>
    </message>
    <message>
        <source>请填写报送方式</source>
        <translation>Enter the channel</translation>
    </message>
    <message>
        <source>正在登记报送…</source>
        <translation>Logging submissions…</translation>
    </message>
</context>
<context>
    <name>PackageDialog</name>
    <message>
        <source>月 2026-03、季度 2026Q3、半年 2026H1 或年度 2026</source>
        <translation>Month 2026-03, quarter 2026Q3, half-year 2026H1 or year 2026</translation>
    </message>
    <message>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>核验资料包</source>
        <translation>Verify package</translation>
    </message>
    <message>
        <source>核验其他资料包…</source>
        <translation>Verify another package…</translation>
    </message>
    <message>
        <source>核验结果将显示在这里。</source>
        <translation>The verification report appears here.</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>项目（不勾选则为期间内全部承保项目）</source>
        <translation>Projects (none ticked: every project insured in the period)</translation>
    </message>
    <message>
        <source>保存到</source>
        <translation>Save to</translation>
    </message>
    <message>
        <source>请选择承保机构</source>
        <translation>Choose an insurer</translation>
    </message>
    <message>
        <source>导出完成</source>
        <translation>Export finished</translation>
    </message>
    <message>
        <source>选择要核验的资料包</source>
        <translation>Choose a package to verify</translation>
    </message>
    <message>
        <source>导出评审资料包</source>
        <translation>Review package</translation>
    </message>
    <message>
        <source>评审资料包内有项目清单、期间内的隐患台账、已签发文书和隐患照片，由本机构密钥签名，保险公司可逐个文件核对。</source>
        <translation>The review package holds the project list, the hazard register of the period, the signed documents and the hazard photos, signed with the agency key so the insurer can check every file.</translation>
    </message>
    <message>
        <source>评审资料包-{insurer}-{period}.zip</source>
        <translation>review-package-{insurer}-{period}.zip</translation>
    </message>
    <message>
        <source>保存评审资料包</source>
        <translation>Save review package</translation>
    </message>
    <message>
        <source>正在导出评审资料包…</source>
        <translation>Exporting the review package…</translation>
    </message>
    <message>
        <source>评审资料包已导出：{path}
共 {files} 个文件，{size}。
签名公钥指纹：{fingerprint}

现在核验一遍吗？</source>
        <translation>Review package exported: {path}
{files} files, {size}.
Signing key fingerprint: {fingerprint}

Verify it now?</translation>
    </message>
    <message>
        <source>正在核验评审资料包…</source>
        <translation>Verifying the review package…</translation>
    </message>
    <message>
        <source>核验通过</source>
        <translation>Verified</translation>
    </message>
    <message>
        <source>签名者未经核实</source>
        <translation>Signer not verified</translation>
    </message>
    <message>
        <source>完整性：完整，{n} 个文件全部核对一致</source>
        <translation>Integrity: intact; all {n} files match</translation>
    </message>
    <message>
        <source>完整性：未通过——资料包损坏或被篡改</source>
        <translation>Integrity: failed — the package is damaged or was tampered with</translation>
    </message>
    <message>
        <source>未写明机构</source>
        <translation>agency not stated</translation>
    </message>
    <message>
        <source>签名者：{agency}（公钥指纹 {fingerprint}）</source>
        <translation>Signer: {agency} (public key fingerprint {fingerprint})</translation>
    </message>
    <message>
        <source>本机构自己的签名密钥</source>
        <translation>this agency&apos;s own signing key</translation>
    </message>
    <message>
        <source>受信任名单中的“{name}”</source>
        <translation>“{name}” on the trust list</translation>
    </message>
    <message>
        <source>{who}签署的密钥更换声明</source>
        <translation>a key rotation statement signed by {who}</translation>
    </message>
    <message>
        <source>信任：已核实（{who}）</source>
        <translation>Trust: verified ({who})</translation>
    </message>
    <message>
        <source>信任：与预期不符——资料包自称由“{agency}”签发，但启用其签名密钥的密钥更换声明写明的机构是“{name}”，可能是伪造的资料包</source>
        <translation>Trust: not as expected — the package claims to be issued by “{agency}”, but the key rotation statement that put its signing key into use names “{name}”; the package may be forged</translation>
    </message>
    <message>
        <source>信任：与预期不符——资料包自称由“{agency}”签发，但其签名密钥是经密钥更换声明由“{name}”的公钥启用的，可能是伪造的资料包</source>
        <translation>Trust: not as expected — the package claims to be issued by “{agency}”, but its signing key was put into use by a key rotation statement from the key of “{name}”; the package may be forged</translation>
    </message>
    <message>
        <source>信任：与预期不符——资料包自称由“{agency}”签发，但该公钥登记为“{name}”的公钥，可能是伪造的资料包</source>
        <translation>Trust: not as expected — the package claims to be issued by “{agency}”, but this key is registered as the key of “{name}”; the package may be forged</translation>
    </message>
    <message>
        <source>信任：与预期不符——不是{name}的公钥，可能是伪造的资料包</source>
        <translation>Trust: not the expected signer — not the key of {name}; the package may be forged</translation>
    </message>
    <message>
        <source>信任：签名者未经核实——该公钥不在受信任名单中，请核对公钥登记函后在“受信任的签名公钥”中添加</source>
        <translation>Trust: signer not verified — the key is not on the trust list; check it against the key letter, then add it under “Trusted signing keys”</translation>
    </message>
    <message>
        <source>核验未通过</source>
        <translation>Verification failed</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>档案</source>
        <translation>Archive</translation>
    </message>
    <message>
        <source>工作台</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>隐患台账</source>
        <translation>Hazard register</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspections</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Projects</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>培训与演练</source>
        <translation>Training and drills</translation>
    </message>
    <message>
        <source>合规自查</source>
        <translation>Compliance self-check</translation>
    </message>
</context>
<context>
    <name>PdfViewer</name>
    <message>
        <source>上一页</source>
        <translation>Previous page</translation>
    </message>
    <message>
        <source>下一页</source>
        <translation>Next page</translation>
    </message>
    <message>
        <source>缩小</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>放大</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <source>适合宽度</source>
        <translation>Fit width</translation>
    </message>
    <message>
        <source>打印…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <source>打印预览…</source>
        <translation>Print preview…</translation>
    </message>
    <message>
        <source>用系统程序打开</source>
        <translation>Open in system viewer</translation>
    </message>
    <message>
        <source>第 </source>
        <translation>Page </translation>
    </message>
    <message>
        <source>在本机安装的 PDF 阅读器中打开一份副本</source>
        <translation>Open a copy in the PDF reader installed on this computer</translation>
    </message>
    <message>
        <source>文书文件缺失：{path}</source>
        <translation>Document file missing: {path}</translation>
    </message>
    <message>
        <source>文件无法打开（不是有效的 PDF）：{path}</source>
        <translation>Cannot open the file (not a valid PDF): {path}</translation>
    </message>
    <message>
        <source>/ 共 {n} 页</source>
        <translation>/ {n} pages</translation>
    </message>
    <message>
        <source>/ 共 0 页</source>
        <translation>/ 0 pages</translation>
    </message>
    <message>
        <source>打印</source>
        <translation>Print</translation>
    </message>
    <message>
        <source>打印预览 — {title}</source>
        <translation>Print preview — {title}</translation>
    </message>
    <message>
        <source>无法打开文件</source>
        <translation>Cannot open the file</translation>
    </message>
    <message>
        <source>本机没有可打开 PDF 的程序。文件已复制到：{path}</source>
        <translation>No program on this computer opens PDF files. The file was copied to: {path}</translation>
    </message>
</context>
<context>
    <name>PhotoFolderDialog</name>
    <message>
        <source>组</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>拍摄时间</source>
        <translation>Taken</translation>
    </message>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>重复/近似</source>
        <translation>Duplicates/similar</translation>
    </message>
    <message>
        <source>归入隐患</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>作为</source>
        <translation>As</translation>
    </message>
    <message>
        <source>时间不明</source>
        <translation>Time unknown</translation>
    </message>
    <message>
        <source>从文件夹导入照片</source>
        <translation>Import photos from a folder</translation>
    </message>
    <message>
        <source>尚未选择文件夹</source>
        <translation>No folder chosen yet</translation>
    </message>
    <message>
        <source>选择文件夹(&amp;F)…</source>
        <translation>Choose &amp;folder…</translation>
    </message>
    <message>
        <source> 分钟</source>
        <translation> min</translation>
    </message>
    <message>
        <source>相邻两张照片的拍摄时间相隔超过此值，就分为另一处隐患</source>
        <translation>When two neighbouring photos were taken further apart than this, they go to different hazards</translation>
    </message>
    <message>
        <source>分组间隔</source>
        <translation>Group gap</translation>
    </message>
    <message>
        <source>导入(&amp;I)</source>
        <translation>&amp;Import</translation>
    </message>
    <message>
        <source>本组照片：</source>
        <translation>Photos of this group:</translation>
    </message>
    <message>
        <source>选择照片所在的文件夹</source>
        <translation>Choose the folder holding the photos</translation>
    </message>
    <message>
        <source>正在读取照片…</source>
        <translation>Reading photos…</translation>
    </message>
    <message>
        <source>不导入</source>
        <translation>Do not import</translation>
    </message>
    <message>
        <source>新隐患…</source>
        <translation>New hazard…</translation>
    </message>
    <message>
        <source>整改前照片</source>
        <translation>Before photos</translation>
    </message>
    <message>
        <source>整改后照片</source>
        <translation>After photos</translation>
    </message>
    <message>
        <source>共 {photos} 张照片，分为 {groups} 组；将导入 {chosen} 张（重复的照片不导入）。</source>
        <translation>{photos} photos in {groups} groups; {chosen} will be imported (duplicates are not).</translation>
    </message>
    <message>
        <source>
{n} 个文件无法读取：</source>
        <translation>
{n} files could not be read: </translation>
    </message>
    <message>
        <source>{name}（{reason}）</source>
        <translation>{name} ({reason})</translation>
    </message>
    <message>
        <source>正在保存照片…</source>
        <translation>Saving photos…</translation>
    </message>
    <message>
        <source>部分照片未保存</source>
        <translation>Some photos were not saved</translation>
    </message>
</context>
<context>
    <name>PhotoStrip</name>
    <message>
        <source>选择照片</source>
        <translation>Choose photos</translation>
    </message>
    <message>
        <source>照片 (*.jpg *.jpeg *.png *.heic *.heif);;所有文件 (*)</source>
        <translation>Photos (*.jpg *.jpeg *.png *.heic *.heif);;All files (*)</translation>
    </message>
    <message>
        <source>粘贴的图片 {n}.png</source>
        <translation>Pasted picture {n}.png</translation>
    </message>
    <message>
        <source>添加照片…</source>
        <translation>Add photos…</translation>
    </message>
    <message>
        <source>可拖入照片或按 Ctrl+V 粘贴</source>
        <translation>Drop photos here or paste with Ctrl+V</translation>
    </message>
    <message>
        <source>{name}
{w}×{h}，{kb} KB
双击查看原图</source>
        <translation>{name}
{w}×{h}, {kb} KB
Double-click to view the original</translation>
    </message>
    <message>
        <source>（无法预览）</source>
        <translation>(no preview) </translation>
    </message>
    <message>
        <source>{title}（{n} 张）</source>
        <translation>{title} ({n})</translation>
    </message>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>正在保存照片…</source>
        <translation>Saving photos…</translation>
    </message>
    <message>
        <source>部分照片未保存</source>
        <translation>Some photos were not saved</translation>
    </message>
    <message>
        <source>无法打开照片</source>
        <translation>Cannot open the photo</translation>
    </message>
</context>
<context>
    <name>PlanDialog</name>
    <message>
        <source>服务内容</source>
        <translation>Service content</translation>
    </message>
    <message>
        <source>服务措施</source>
        <translation>Service measures</translation>
    </message>
    <message>
        <source>服务频次（补充说明）</source>
        <translation>Visit frequency (notes)</translation>
    </message>
    <message>
        <source>人员安排（职责）</source>
        <translation>Staffing (duties)</translation>
    </message>
    <message>
        <source>服务目标</source>
        <translation>Service goals</translation>
    </message>
    <message>
        <source>保障措施</source>
        <translation>Safeguards</translation>
    </message>
    <message>
        <source>一级</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <source>二级</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <source>三级</source>
        <translation>Level 3</translation>
    </message>
    <message>
        <source>四级</source>
        <translation>Level 4</translation>
    </message>
    <message>
        <source>编辑专项服务方案</source>
        <translation>Edit special service plan</translation>
    </message>
    <message>
        <source>编辑服务工作方案</source>
        <translation>Edit service work plan</translation>
    </message>
    <message>
        <source>风险等级：{level}；常规检查每 {days} 天不少于 1 次；风险源 {n} 项（一、二级 {key} 项）；危大工程 {d} 项。以上取自项目记录，不能在此修改。</source>
        <translation>Risk level: {level}; routine inspection at least once every {days} days; {n} risk sources ({key} of level 1/2); {d} major-hazard works. These come from the project records and cannot be changed here.</translation>
    </message>
    <message>
        <source>每行一条</source>
        <translation>One item per line</translation>
    </message>
    <message>
        <source>方案章节</source>
        <translation>Plan sections</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stage</translation>
    </message>
    <message>
        <source>风险源</source>
        <translation>Risk source</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>管控措施（可编辑）</source>
        <translation>Control measures (editable)</translation>
    </message>
    <message>
        <source>风险源管控措施</source>
        <translation>Risk source measures</translation>
    </message>
    <message>
        <source>判定因素</source>
        <translation>Risk factor</translation>
    </message>
    <message>
        <source>情况</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>针对性措施（可编辑）</source>
        <translation>Targeted measures (editable)</translation>
    </message>
    <message>
        <source>针对性措施</source>
        <translation>Targeted measures</translation>
    </message>
    <message>
        <source>一、二级风险源未填写管控措施（签发前须补充）：{names}</source>
        <translation>Level 1/2 risk sources without control measures (to be added before signing): {names}</translation>
    </message>
</context>
<context>
    <name>ProjectDialog</name>
    <message>
        <source>移除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Stage</translation>
    </message>
    <message>
        <source>计划开始</source>
        <translation>Planned start</translation>
    </message>
    <message>
        <source>计划结束</source>
        <translation>Planned end</translation>
    </message>
    <message>
        <source>实际开始</source>
        <translation>Actual start</translation>
    </message>
    <message>
        <source>实际结束</source>
        <translation>Actual end</translation>
    </message>
    <message>
        <source>添加施工阶段</source>
        <translation>Add a stage</translation>
    </message>
    <message>
        <source>未施工</source>
        <translation>Not started</translation>
    </message>
    <message>
        <source>施工中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <source>已完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>危大工程名称</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>超危大</source>
        <translation>Beyond scale</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>规模参数</source>
        <translation>Parameters</translation>
    </message>
    <message>
        <source>危大</source>
        <translation>dangerous works</translation>
    </message>
    <message>
        <source>已登记：{items}</source>
        <translation>Already registered: {items}</translation>
    </message>
    <message>
        <source>添加危大工程</source>
        <translation>Add dangerous works</translation>
    </message>
    <message>
        <source>如 开挖深度 6.5m</source>
        <translation>e.g. excavation depth 6.5 m</translation>
    </message>
    <message>
        <source>项目经理</source>
        <translation>Project manager</translation>
    </message>
    <message>
        <source>项目技术负责人</source>
        <translation>Project technical lead</translation>
    </message>
    <message>
        <source>专职安全员</source>
        <translation>Safety officer</translation>
    </message>
    <message>
        <source>总监理工程师</source>
        <translation>Chief supervising engineer</translation>
    </message>
    <message>
        <source>建设单位代表</source>
        <translation>Owner&apos;s representative</translation>
    </message>
    <message>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>添加联系人</source>
        <translation>Add a contact</translation>
    </message>
    <message>
        <source>属地建设主管部门</source>
        <translation>Local construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>修改项目</source>
        <translation>Edit project</translation>
    </message>
    <message>
        <source>新建项目</source>
        <translation>New project</translation>
    </message>
    <message>
        <source>基本信息</source>
        <translation>General</translation>
    </message>
    <message>
        <source>保单与参建单位</source>
        <translation>Policy and parties</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>如 SX-2026-0001</source>
        <translation>e.g. SX-2026-0001</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not assigned)</translation>
    </message>
    <message>
        <source> 人</source>
        <translation> people</translation>
    </message>
    <message>
        <source>项目编号 *</source>
        <translation>Project no. *</translation>
    </message>
    <message>
        <source>项目名称 *</source>
        <translation>Project name *</translation>
    </message>
    <message>
        <source>工程地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>所在区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>工程类型</source>
        <translation>Project type</translation>
    </message>
    <message>
        <source>项目状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>项目负责人</source>
        <translation>Project lead</translation>
    </message>
    <message>
        <source>工程合同价（元）</source>
        <translation>Contract value (CNY)</translation>
    </message>
    <message>
        <source>基坑开挖深度（米）</source>
        <translation>Excavation depth (m)</translation>
    </message>
    <message>
        <source>风控服务合同签订</source>
        <translation>Service contract signed</translation>
    </message>
    <message>
        <source>开工日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>计划竣工日期</source>
        <translation>Planned completion</translation>
    </message>
    <message>
        <source>竣工日期</source>
        <translation>Completion date</translation>
    </message>
    <message>
        <source>管理人员</source>
        <translation>Managers</translation>
    </message>
    <message>
        <source>作业人员</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>安责险保单</source>
        <translation>Safety liability insurance policy</translation>
    </message>
    <message>
        <source>已登记保单</source>
        <translation>Registered policies</translation>
    </message>
    <message>
        <source>续保或新增保单时填写以下各项；不填则不新增。</source>
        <translation>Fill in the fields below for a renewal or another policy; left empty, no policy is added.</translation>
    </message>
    <message>
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <source>保单号</source>
        <translation>Policy no.</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>保险期间</source>
        <translation>Period of cover</translation>
    </message>
    <message>
        <source>保费（元）</source>
        <translation>Premium (CNY)</translation>
    </message>
    <message>
        <source>事故预防费用（元）</source>
        <translation>Prevention fee (CNY)</translation>
    </message>
    <message>
        <source>参建单位</source>
        <translation>Parties</translation>
    </message>
    <message>
        <source>单位名称可从已登记的单位中选择；输入新名称则保存时自动登记。</source>
        <translation>Pick a registered unit or type a new name: a new unit is registered on Save.</translation>
    </message>
    <message>
        <source>建筑面积（平方米）</source>
        <translation>Floor area (m²)</translation>
    </message>
</context>
<context>
    <name>ProjectFacts</name>
    <message>
        <source>状态按 计划→施工中→完成 依次变更：开始施工时填写实际开始日期，完成时填写实际完成日期。超危大工程开始或完成后，项目将提示重新评估风险等级。</source>
        <translation>The status moves planned → under way → done: enter the actual start when work starts and the actual end when it is done. When extra-large dangerous work starts or ends, the project asks for a new risk assessment.</translation>
    </message>
    <message>
        <source>修改危大工程</source>
        <translation>Edit dangerous work</translation>
    </message>
    <message>
        <source>超过一定规模（超危大工程）</source>
        <translation>Beyond the set scale (extra-large dangerous work)</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>计划开始</source>
        <translation>Planned start</translation>
    </message>
    <message>
        <source>计划结束</source>
        <translation>Planned end</translation>
    </message>
    <message>
        <source>实际开始</source>
        <translation>Actual start</translation>
    </message>
    <message>
        <source>实际完成</source>
        <translation>Actual end</translation>
    </message>
    <message>
        <source>规模参数</source>
        <translation>Scale</translation>
    </message>
    <message>
        <source>修改施工阶段</source>
        <translation>Edit stage</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Stage</translation>
    </message>
    <message>
        <source>实际结束</source>
        <translation>Actual end</translation>
    </message>
    <message>
        <source>修改保单</source>
        <translation>Edit policy</translation>
    </message>
    <message>
        <source>选择保单</source>
        <translation>Policy</translation>
    </message>
    <message>
        <source>保单号</source>
        <translation>Policy number</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>保险起期</source>
        <translation>Cover from</translation>
    </message>
    <message>
        <source>保险止期</source>
        <translation>Cover to</translation>
    </message>
    <message>
        <source>保费（元）</source>
        <translation>Premium (yuan)</translation>
    </message>
    <message>
        <source>事故预防费用（元）</source>
        <translation>Prevention fee (yuan)</translation>
    </message>
    <message>
        <source>修改联系人</source>
        <translation>Edit contact</translation>
    </message>
    <message>
        <source>已离开项目（不再列出，记录保留）</source>
        <translation>Left the project (no longer listed; the record is kept)</translation>
    </message>
    <message>
        <source>选择联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
</context>
<context>
    <name>ProjectPage</name>
    <message>
        <source>专项服务方案</source>
        <translation>Special service plan</translation>
    </message>
    <message>
        <source>服务工作方案</source>
        <translation>Service work plan</translation>
    </message>
    <message>
        <source>尚无培训记录。</source>
        <translation>No training recorded yet.</translation>
    </message>
    <message>
        <source>尚无应急演练记录。</source>
        <translation>No emergency drill recorded yet.</translation>
    </message>
    <message>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Emergency drills</translation>
    </message>
    <message>
        <source>达标</source>
        <translation>met</translation>
    </message>
    <message>
        <source>未达标</source>
        <translation>not met</translation>
    </message>
    <message>
        <source>超危大</source>
        <translation>Beyond scale</translation>
    </message>
    <message>
        <source>危大</source>
        <translation>Dangerous</translation>
    </message>
    <message>
        <source>人工调整</source>
        <translation>Manual</translation>
    </message>
    <message>
        <source>规则评定</source>
        <translation>By the rules</translation>
    </message>
    <message>
        <source>人工调整风险等级</source>
        <translation>Set the risk level by hand</translation>
    </message>
    <message>
        <source>风险等级</source>
        <translation>Risk level</translation>
    </message>
    <message>
        <source>调整理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>工程概况</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>参建单位与联系人</source>
        <translation>Parties and contacts</translation>
    </message>
    <message>
        <source>安责险保单</source>
        <translation>Safety liability insurance</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stages</translation>
    </message>
    <message>
        <source>危大工程与超危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>按规则重新评定</source>
        <translation>Reassess by the rules</translation>
    </message>
    <message>
        <source>人工调整…</source>
        <translation>Set by hand…</translation>
    </message>
    <message>
        <source>管理人员 {m} 人，作业人员 {w} 人</source>
        <translation>{m} managers, {w} workers</translation>
    </message>
    <message>
        <source>项目编号</source>
        <translation>Project no.</translation>
    </message>
    <message>
        <source>项目名称</source>
        <translation>Project name</translation>
    </message>
    <message>
        <source>工程类型</source>
        <translation>Project type</translation>
    </message>
    <message>
        <source>工程地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>所在区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>工程合同价（元）</source>
        <translation>Contract value (CNY)</translation>
    </message>
    <message>
        <source>基坑开挖深度（米）</source>
        <translation>Excavation depth (m)</translation>
    </message>
    <message>
        <source>项目状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>风控服务合同签订</source>
        <translation>Service contract signed</translation>
    </message>
    <message>
        <source>开工日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>计划竣工日期</source>
        <translation>Planned completion</translation>
    </message>
    <message>
        <source>竣工日期</source>
        <translation>Completion date</translation>
    </message>
    <message>
        <source>项目负责人</source>
        <translation>Project lead</translation>
    </message>
    <message>
        <source>人员规模</source>
        <translation>Headcount</translation>
    </message>
    <message>
        <source>属地建设主管部门</source>
        <translation>Local construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>项目联系人</source>
        <translation>Site contacts</translation>
    </message>
    <message>
        <source>{start} 至 {end}</source>
        <translation>{start} to {end}</translation>
    </message>
    <message>
        <source>保费 {premium} 元，事故预防费用 {fee} 元</source>
        <translation>premium CNY {premium}, prevention fee CNY {fee}</translation>
    </message>
    <message>
        <source>保单</source>
        <translation>Policy</translation>
    </message>
    <message>
        <source>尚未登记保单</source>
        <translation>No policy registered yet</translation>
    </message>
    <message>
        <source>未评定</source>
        <translation>Not assessed</translation>
    </message>
    <message>
        <source>该项目尚未进行风险评定。</source>
        <translation>The project&apos;s risk has not been assessed yet.</translation>
    </message>
    <message>
        <source>{label}（{detail}）</source>
        <translation>{label} ({detail})</translation>
    </message>
    <message>
        <source>{when} 由 {who} {how}。理由：{reason}
依据：{factors}</source>
        <translation>{when}, {who}: {how}. Reason: {reason}
Factors: {factors}</translation>
    </message>
    <message>
        <source>尚无服务方案（一项目一方案）。</source>
        <translation>No service plan yet (one plan per project).</translation>
    </message>
    <message>
        <source>尚未登记档案。</source>
        <translation>No archive item registered yet.</translation>
    </message>
    <message>
        <source>人工调整（规则计算为{level}）</source>
        <translation>set by hand (the rules give {level})</translation>
    </message>
    <message>
        <source>项目风险等级</source>
        <translation>Project risk level</translation>
    </message>
    <message>
        <source>按规则评定</source>
        <translation>assessed by the rules</translation>
    </message>
    <message>
        <source>← 返回项目列表</source>
        <translation>← Back to the projects</translation>
    </message>
    <message>
        <source>修改项目(&amp;E)…</source>
        <translation>&amp;Edit project…</translation>
    </message>
    <message>
        <source>新建检查(&amp;N)…</source>
        <translation>&amp;New inspection…</translation>
    </message>
    <message>
        <source>修改记录…</source>
        <translation>Change history…</translation>
    </message>
    <message>
        <source>Alt+← 或 Esc</source>
        <translation>Alt+← or Esc</translation>
    </message>
    <message>
        <source>生成服务方案草稿(&amp;G)</source>
        <translation>&amp;Generate a service plan draft</translation>
    </message>
    <message>
        <source>尚无检查记录。</source>
        <translation>No inspection recorded yet.</translation>
    </message>
    <message>
        <source>尚无与本项目有关的文书。</source>
        <translation>No document about this project yet.</translation>
    </message>
    <message>
        <source>概况</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>风险源</source>
        <translation>Risk sources</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plans</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspections</translation>
    </message>
    <message>
        <source>隐患</source>
        <translation>Hazards</translation>
    </message>
    <message>
        <source>培训与演练</source>
        <translation>Training and drills</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>档案</source>
        <translation>Archive</translation>
    </message>
    <message>
        <source>预防费用</source>
        <translation>Prevention fees</translation>
    </message>
    <message>
        <source>登记隐患(&amp;H)…</source>
        <translation>Record &amp;hazard…</translation>
    </message>
    <message>
        <source>未评定风险等级</source>
        <translation>Risk level not assessed</translation>
    </message>
    <message>
        <source>正在生成服务方案草稿…</source>
        <translation>Generating the service plan draft…</translation>
    </message>
    <message>
        <source>服务方案草稿</source>
        <translation>Service plan draft</translation>
    </message>
    <message>
        <source>已生成“{title}”，请在“文书”页核对后交技术负责人签发。</source>
        <translation>“{title}” has been generated. Check it on the Documents page and pass it to the technical lead for signing.</translation>
    </message>
    <message>
        <source>交底会</source>
        <translation>Kick-off</translation>
    </message>
    <message>
        <source>标准化建设</source>
        <translation>Standardisation</translation>
    </message>
    <message>
        <source>{half}：培训 {n} 次，其中集中培训 {c} 次，频次{freq}；参训管理人员 {m}/{hm} 人，作业人员 {w}/{hw} 人（按人计），覆盖{cover}。</source>
        <translation>{half}: {n} sessions, {c} centralized, frequency {freq}; managers trained {m}/{hm}, workers {w}/{hw} (people, each counted once), coverage {cover}.</translation>
    </message>
    <message>
        <source>修改联系人…</source>
        <translation>Edit contact…</translation>
    </message>
    <message>
        <source>修改保单…</source>
        <translation>Edit policy…</translation>
    </message>
    <message>
        <source>修改施工阶段…</source>
        <translation>Edit stage…</translation>
    </message>
    <message>
        <source>修改危大工程…</source>
        <translation>Edit dangerous work…</translation>
    </message>
    <message>
        <source>依据：根据风险等级制定服务形式和频次等内容</source>
        <translation>Basis: the form and frequency of service are set by risk level</translation>
    </message>
    <message>
        <source>建筑面积（平方米）</source>
        <translation>Floor area (m²)</translation>
    </message>
    <message>
        <source>项目不在施工中，暂不安排检查。</source>
        <translation>The project is not under construction; no visit is scheduled.</translation>
    </message>
    <message>
        <source>尚无检查</source>
        <translation>none yet</translation>
    </message>
    <message>
        <source>检查频次：{level}项目每 {days} 天一次；最近一次检查 {last}；下次应于 {due} 前。</source>
        <translation>Visits: {level} projects every {days} days; last visit {last}; next due by {due}.</translation>
    </message>
    <message>
        <source>已逾期 {n} 天。</source>
        <translation> Overdue by {n} days.</translation>
    </message>
    <message>
        <source>待重新评估：上次评定后{what}。请重新评定风险等级。</source>
        <translation>Reassessment due: since the last assessment, {what}. Please assess the risk level again.</translation>
    </message>
    <message>
        <source>修改施工阶段</source>
        <translation>Edit stage</translation>
    </message>
    <message>
        <source>请先在表中选择一个施工阶段。</source>
        <translation>Select a stage in the table first.</translation>
    </message>
    <message>
        <source>修改危大工程</source>
        <translation>Edit dangerous work</translation>
    </message>
    <message>
        <source>请先在表中选择一项危大工程。</source>
        <translation>Select a dangerous work item in the table first.</translation>
    </message>
    <message>
        <source>编辑服务方案…</source>
        <translation>Edit service plan…</translation>
    </message>
    <message>
        <source>编辑专项服务方案…</source>
        <translation>Edit special plan…</translation>
    </message>
    <message>
        <source>生成专项服务方案草稿</source>
        <translation>Draft special plan</translation>
    </message>
    <message>
        <source>正在生成专项服务方案草稿…</source>
        <translation>Drafting the special service plan…</translation>
    </message>
    <message>
        <source>专项服务方案草稿</source>
        <translation>Special service plan draft</translation>
    </message>
</context>
<context>
    <name>ProjectsPage</name>
    <message>
        <source>未评定</source>
        <translation>Not assessed</translation>
    </message>
    <message>
        <source>{n}（逾期 {late}）</source>
        <translation>{n} ({late} overdue)</translation>
    </message>
    <message>
        <source>搜索项目编号、名称或地址</source>
        <translation>Search project number, name or address</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>全部风险等级</source>
        <translation>All risk levels</translation>
    </message>
    <message>
        <source>新建项目(&amp;N)…</source>
        <translation>&amp;New project…</translation>
    </message>
    <message>
        <source>从 Excel 导入…</source>
        <translation>Import from Excel…</translation>
    </message>
    <message>
        <source>导出评审资料包…</source>
        <translation>Export review package…</translation>
    </message>
    <message>
        <source>还没有项目。新建第一个在保项目，或从 Excel 导入项目及保单清单；之后即可安排检查、登记隐患。</source>
        <translation>No projects yet. Create the first insured project, or import the project and policy list from Excel; then plan inspections and record hazards.</translation>
    </message>
    <message>
        <source>新建项目…</source>
        <translation>New project…</translation>
    </message>
    <message>
        <source>没有符合搜索或筛选条件的项目。清除搜索词或把筛选改回“全部”再看。</source>
        <translation>No projects match the search or filters. Clear the search or set the filters back to &quot;all&quot;.</translation>
    </message>
    <message>
        <source>共 {n} 个项目</source>
        <translation>{n} projects</translation>
    </message>
    <message>
        <source>全部承保机构</source>
        <translation>All insurers</translation>
    </message>
    <message>
        <source>全部区县</source>
        <translation>All districts</translation>
    </message>
    <message>
        <source>全部主管部门</source>
        <translation>All authorities</translation>
    </message>
</context>
<context>
    <name>QualityPanels</name>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>已答复（期限待核实）</source>
        <translation>Replied (deadline to be confirmed)</translation>
    </message>
    <message>
        <source>逾期答复</source>
        <translation>Replied late</translation>
    </message>
    <message>
        <source>已答复</source>
        <translation>Replied</translation>
    </message>
    <message>
        <source>已逾期 {n} 天</source>
        <translation>Overdue by {n} days</translation>
    </message>
    <message>
        <source>待答复</source>
        <translation>Awaiting reply</translation>
    </message>
    <message>
        <source>登记投诉</source>
        <translation>Record complaint</translation>
    </message>
    <message>
        <source>（不涉及具体项目）</source>
        <translation>(no particular project)</translation>
    </message>
    <message>
        <source>如 电话、信函、12345 转办</source>
        <translation>e.g. phone, letter, 12345 hotline referral</translation>
    </message>
    <message>
        <source>需核实情况（答复期限 30 个工作日）</source>
        <translation>Facts need checking (reply due in 30 working days)</translation>
    </message>
    <message>
        <source>收到日期</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>投诉人</source>
        <translation>Complainant</translation>
    </message>
    <message>
        <source>渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>投诉内容</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>答复期限</source>
        <translation>Reply due</translation>
    </message>
    <message>
        <source>答复投诉</source>
        <translation>Reply to complaint</translation>
    </message>
    <message>
        <source>答复日期</source>
        <translation>Replied on</translation>
    </message>
    <message>
        <source>答复内容</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>仅显示未答复(&amp;U)</source>
        <translation>&amp;Unanswered only</translation>
    </message>
    <message>
        <source>登记投诉(&amp;R)…</source>
        <translation>&amp;Record complaint…</translation>
    </message>
    <message>
        <source>答复(&amp;Y)…</source>
        <translation>Repl&amp;y…</translation>
    </message>
    <message>
        <source>改为需核实</source>
        <translation>Mark as needing checking</translation>
    </message>
    <message>
        <source>共 {n} 件，未答复 {open} 件，其中已逾期 {late} 件</source>
        <translation>{n} in all, {open} unanswered, {late} of them overdue</translation>
    </message>
    <message>
        <source>没有投诉记录。</source>
        <translation>No complaints recorded.</translation>
    </message>
    <message>
        <source>改为无需核实</source>
        <translation>Mark as not needing checking</translation>
    </message>
    <message>
        <source>登记事故或漏判</source>
        <translation>Record incident or missed hazard</translation>
    </message>
    <message>
        <source>漏判时必填，如 属地建设主管部门</source>
        <translation>Required for a missed hazard, e.g. the local construction authority</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>发生或发现日期</source>
        <translation>Date occurred or found</translation>
    </message>
    <message>
        <source>经过与情况</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>发现单位</source>
        <translation>Found by</translation>
    </message>
    <message>
        <source>死亡人数</source>
        <translation>Deaths</translation>
    </message>
    <message>
        <source>重伤人数</source>
        <translation>Serious injuries</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>登记事故或漏判(&amp;I)…</source>
        <translation>Record &amp;incident or missed hazard…</translation>
    </message>
    <message>
        <source>共 {n} 起（服务期间的事故与漏判重大隐患）</source>
        <translation>{n} in all (accidents during service and missed major hazards)</translation>
    </message>
    <message>
        <source>没有事故或漏判记录。</source>
        <translation>No incidents or missed hazards recorded.</translation>
    </message>
    <message>
        <source>登记收到的评价</source>
        <translation>Record evaluation received</translation>
    </message>
    <message>
        <source>如 2026H1、2026Q2、2026</source>
        <translation>e.g. 2026H1, 2026Q2, 2026</translation>
    </message>
    <message>
        <source>如 优秀、合格、第 2 名</source>
        <translation>e.g. excellent, satisfactory, ranked 2nd</translation>
    </message>
    <message>
        <source>评价认可本机构的服务</source>
        <translation>The evaluation recognises our service</translation>
    </message>
    <message>
        <source>评价单位类型</source>
        <translation>Evaluator type</translation>
    </message>
    <message>
        <source>评价单位</source>
        <translation>Evaluator</translation>
    </message>
    <message>
        <source>评价期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>评价结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not specified)</translation>
    </message>
    <message>
        <source>登记评价(&amp;E)…</source>
        <translation>Record &amp;evaluation…</translation>
    </message>
    <message>
        <source>共 {n} 份，其中不认可 {bad} 份</source>
        <translation>{n} in all, {bad} not recognising our service</translation>
    </message>
    <message>
        <source>尚未登记承保机构或建设主管部门的评价。</source>
        <translation>No evaluations from insurers or authorities recorded yet.</translation>
    </message>
    <message>
        <source>{date}（{years}年：该年度节假日安排未载入）</source>
        <translation>{date} ({years}: holiday arrangement for this year not loaded)</translation>
    </message>
</context>
<context>
    <name>RecycleBin</name>
    <message>
        <source>回收站是空的。</source>
        <translation>The recycle bin is empty.</translation>
    </message>
    <message>
        <source>恢复</source>
        <translation>Restore</translation>
    </message>
    <message>
        <source>彻底删除…</source>
        <translation>Delete for good…</translation>
    </message>
    <message>
        <source>变更历史…</source>
        <translation>History…</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>只有系统管理员可以彻底删除。</source>
        <translation>Only administrators can delete for good.</translation>
    </message>
    <message>
        <source>删除的记录先放在回收站，可以恢复；已签发的文书和保存期内的档案不能彻底删除。</source>
        <translation>Deleted records wait in the recycle bin and can be restored; signed documents and archive items under retention cannot be deleted for good.</translation>
    </message>
    <message>
        <source>已恢复</source>
        <translation>Restored</translation>
    </message>
    <message>
        <source>{kind}“{title}”已恢复。</source>
        <translation>{kind} “{title}” restored.</translation>
    </message>
    <message>
        <source>彻底删除{kind}“{title}”及只属于它的附件和记录？此操作不能撤销。</source>
        <translation>Delete {kind} “{title}” for good, with the attachments and records that only it owns? This cannot be undone.</translation>
    </message>
    <message>
        <source>彻底删除</source>
        <translation>Delete for good</translation>
    </message>
</context>
<context>
    <name>RegisterFilters</name>
    <message>
        <source>搜索部位或描述（Ctrl+F）</source>
        <translation>Search location or description (Ctrl+F)</translation>
    </message>
    <message>
        <source>全部等级</source>
        <translation>All levels</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All states</translation>
    </message>
    <message>
        <source>未销项</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>只看逾期</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <source>重大与一般</source>
        <translation>Major and ordinary</translation>
    </message>
    <message>
        <source>仅重大事故隐患</source>
        <translation>Major hazards only</translation>
    </message>
    <message>
        <source>非重大隐患</source>
        <translation>Not major</translation>
    </message>
    <message>
        <source>发现日期</source>
        <translation>Found between</translation>
    </message>
    <message>
        <source>清除筛选</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <source>全部项目</source>
        <translation>All projects</translation>
    </message>
    <message>
        <source>全部承保机构</source>
        <translation>All insurers</translation>
    </message>
    <message>
        <source>全部主管部门</source>
        <translation>All authorities</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All categories</translation>
    </message>
    <message>
        <source>更多筛选</source>
        <translation>More filters</translation>
    </message>
</context>
<context>
    <name>RiskSources</name>
    <message>
        <source>已核查</source>
        <translation>Verified</translation>
    </message>
    <message>
        <source>未核查</source>
        <translation>Not verified</translation>
    </message>
    <message>
        <source>在用</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>已停用</source>
        <translation>Deactivated</translation>
    </message>
    <message>
        <source>选择风险源分级表</source>
        <translation>Choose the risk-source table</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx *.xlsm)</source>
        <translation>Excel workbooks (*.xlsx *.xlsm)</translation>
    </message>
    <message>
        <source>修改风险源</source>
        <translation>Edit risk source</translation>
    </message>
    <message>
        <source>添加风险源</source>
        <translation>Add risk source</translation>
    </message>
    <message>
        <source>风险源名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>风险等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stage</translation>
    </message>
    <message>
        <source>防范措施</source>
        <translation>Preventive measures</translation>
    </message>
    <message>
        <source>停用风险源</source>
        <translation>Deactivate risk source</translation>
    </message>
    <message>
        <source>停用“{name}”后，它不再计入一、二级风险源核查。</source>
        <translation>Once “{name}” is deactivated it no longer counts in the level 1/2 verification.</translation>
    </message>
    <message>
        <source>如：该分部分项工程已完成</source>
        <translation>e.g. this part of the works is finished</translation>
    </message>
    <message>
        <source>停用原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>显示已停用</source>
        <translation>Show deactivated</translation>
    </message>
    <message>
        <source>添加(&amp;A)…</source>
        <translation>&amp;Add…</translation>
    </message>
    <message>
        <source>修改(&amp;E)…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>停用(&amp;D)…</source>
        <translation>&amp;Deactivate…</translation>
    </message>
    <message>
        <source>导入风险源清单…</source>
        <translation>Import the risk-source list…</translation>
    </message>
    <message>
        <source>导入 Excel…</source>
        <translation>Import Excel…</translation>
    </message>
    <message>
        <source>{quarter}：本项目尚未登记在用的一、二级风险源。</source>
        <translation>{quarter}: the project has no active level 1/2 risk source registered.</translation>
    </message>
    <message>
        <source>{quarter}一、二级风险源核查：已核查 {done} / {total} 项（{percent}%）。</source>
        <translation>{quarter}, level 1/2 risk sources verified: {done} of {total} ({percent}%).</translation>
    </message>
    <message>
        <source>未核查：{names}</source>
        <translation>Not verified: {names}</translation>
    </message>
    <message>
        <source>恢复启用(&amp;D)</source>
        <translation>Reactivate (&amp;D)</translation>
    </message>
    <message>
        <source>恢复启用风险源“{name}”？</source>
        <translation>Reactivate the risk source “{name}”?</translation>
    </message>
    <message>
        <source>恢复启用</source>
        <translation>Reactivate</translation>
    </message>
    <message>
        <source>正在读取风险源清单…</source>
        <translation>Reading the risk-source list…</translation>
    </message>
    <message>
        <source>导入风险源清单</source>
        <translation>Import the risk-source list</translation>
    </message>
    <message>
        <source>清单中的 {n} 项均已在本项目登记，无需导入。</source>
        <translation>All {n} items of the list are already registered on this project; nothing to import.</translation>
    </message>
    <message>
        <source>将导入 {n} 项风险源（已登记的 {skipped} 项跳过）。</source>
        <translation>{n} risk sources will be imported ({skipped} already registered are skipped).</translation>
    </message>
    <message>
        <source>

这是软件自带的起步清单，不是官方分级表；导入后请按项目实际核对等级和措施。</source>
        <translation>

This is the starter list shipped with the software, not the official table: check each level and measure against the site after importing.</translation>
    </message>
    <message>
        <source>

是否导入？</source>
        <translation>

Import them?</translation>
    </message>
    <message>
        <source>正在导入风险源…</source>
        <translation>Importing risk sources…</translation>
    </message>
    <message>
        <source>正在读取 Excel 表格…</source>
        <translation>Reading the Excel workbook…</translation>
    </message>
    <message>
        <source>导入 Excel</source>
        <translation>Import Excel</translation>
    </message>
    <message>
        <source>……共 {n} 处问题</source>
        <translation>… {n} problems in all</translation>
    </message>
    <message>
        <source>表格有问题，未导入任何一行。请修改后重新导入：

</source>
        <translation>The workbook has problems; no row was imported. Correct them and import again:

</translation>
    </message>
    <message>
        <source>表中的 {n} 行均已在本项目登记，无需导入。</source>
        <translation>All {n} rows are already registered on this project; nothing to import.</translation>
    </message>
    <message>
        <source>读取 {read} 行：将导入 {n} 项，已登记的 {skipped} 项跳过。是否导入？</source>
        <translation>{read} rows read: {n} will be imported, {skipped} already registered are skipped. Import them?</translation>
    </message>
    <message>
        <source>导入完成</source>
        <translation>Import finished</translation>
    </message>
    <message>
        <source>已导入 {n} 项风险源。</source>
        <translation>{n} risk sources imported.</translation>
    </message>
</context>
<context>
    <name>Services</name>
    <message>
        <source>JPEG、PNG、HEIC</source>
        <translation>JPEG, PNG, HEIC</translation>
    </message>
    <message>
        <source>JPEG、PNG、HEIC 图片，PDF，Excel（.xlsx）和 Word（.docx）文件</source>
        <translation>JPEG, PNG and HEIC images, PDF, Excel (.xlsx) and Word (.docx) files</translation>
    </message>
    <message>
        <source>PDF 文件不完整或已损坏。</source>
        <translation>The PDF file is incomplete or damaged.</translation>
    </message>
    <message>
        <source>PostgreSQL 地址须包含服务器和数据库名</source>
        <translation>A PostgreSQL address must include the server and the database name</translation>
    </message>
    <message>
        <source>{date} “{scenario}”演练未进行成效评估</source>
        <translation>Drill “{scenario}” of {date} has not been evaluated</translation>
    </message>
    <message>
        <source>{field}不超过 {limit} 字</source>
        <translation>{field}: at most {limit} characters</translation>
    </message>
    <message>
        <source>{item} 由系统根据业务数据计算，不能人工填写</source>
        <translation>{item} is computed from the business data and cannot be answered by hand</translation>
    </message>
    <message>
        <source>{kind}不按期间出具</source>
        <translation>A {kind} is not issued for a period</translation>
    </message>
    <message>
        <source>{kind}的范围须为：{scopes}</source>
        <translation>The scope of a {kind} must be one of: {scopes}</translation>
    </message>
    <message>
        <source>{label}不能为负数</source>
        <translation>{label} cannot be negative</translation>
    </message>
    <message>
        <source>{label}不超过 50 字</source>
        <translation>{label}: at most 50 characters</translation>
    </message>
    <message>
        <source>{label}须为 0 到 100000 之间的整数</source>
        <translation>{label} must be a whole number from 0 to 100000</translation>
    </message>
    <message>
        <source>{label}须为数字</source>
        <translation>{label} must be a number</translation>
    </message>
    <message>
        <source>{level}隐患 {number}</source>
        <translation>{level} hazard {number}</translation>
    </message>
    <message>
        <source>{name} 整改通知未送达责任单位</source>
        <translation>{name}: the rectification notice was not delivered to the responsible unit</translation>
    </message>
    <message>
        <source>{name} 逾期未闭合（整改期限 {deadline}）</source>
        <translation>{name}: overdue and not closed (deadline {deadline})</translation>
    </message>
    <message>
        <source>{name} 销项未经监理单位确认提交</source>
        <translation>{name}: closed without submission confirmed by the supervision unit</translation>
    </message>
    <message>
        <source>{name}：{reason}</source>
        <translation>{name}: {reason}</translation>
    </message>
    <message>
        <source>{name}：实际结束早于实际开始</source>
        <translation>{name}: actual end is before actual start</translation>
    </message>
    <message>
        <source>{name}：计划结束早于计划开始</source>
        <translation>{name}: planned end is before planned start</translation>
    </message>
    <message>
        <source>{period}{level}风险源“{name}”未在全覆盖检查中核查</source>
        <translation>{period}: {level} risk source “{name}” not verified in a full-coverage inspection</translation>
    </message>
    <message>
        <source>{period}{problem}</source>
        <translation>{period}: {problem}</translation>
    </message>
    <message>
        <source>{period}尚未开始</source>
        <translation>{period} has not started yet</translation>
    </message>
    <message>
        <source>{problems}</source>
        <translation>{problems}</translation>
    </message>
    <message>
        <source>{problem}（表中没有“{column}”列）</source>
        <translation>{problem} (the sheet has no “{column}” column)</translation>
    </message>
    <message>
        <source>{problem}：{name}</source>
        <translation>{problem}: {name}</translation>
    </message>
    <message>
        <source>{role}无权{action}。</source>
        <translation>The role “{role}” may not {action}.</translation>
    </message>
    <message>
        <source>{saved}
以下 {n} 个文件未保存：
{failures}</source>
        <translation>{saved}
These {n} files were not saved:
{failures}</translation>
    </message>
    <message>
        <source>{what}不存在。</source>
        <translation>The {what} does not exist.</translation>
    </message>
    <message>
        <source>{what}不存在或已删除。</source>
        <translation>The {what} does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>{what}未出具（应于 {deadline} 前）</source>
        <translation>{what} not issued (due by {deadline})</translation>
    </message>
    <message>
        <source>{what}逾期出具（{signed} 签发，应于 {deadline} 前）</source>
        <translation>{what} issued late (signed {signed}, due by {deadline})</translation>
    </message>
    <message>
        <source>{whole}；{audit}</source>
        <translation>{whole}; {audit}</translation>
    </message>
    <message>
        <source>{year}年{month}月</source>
        <translation>{month}/{year}</translation>
    </message>
    <message>
        <source>{year}年上半年</source>
        <translation>H1 {year}</translation>
    </message>
    <message>
        <source>{year}年下半年</source>
        <translation>H2 {year}</translation>
    </message>
    <message>
        <source>{year}年度</source>
        <translation>Year {year}</translation>
    </message>
    <message>
        <source>{year}年的放假日期缺少{name}：请按当年通知录入全年的放假日期和调休上班日期</source>
        <translation>The holidays of {year} lack {name}: enter the whole year&apos;s holidays and make-up working days from that year&apos;s notice</translation>
    </message>
    <message>
        <source>{year}年第一季度</source>
        <translation>Q1 {year}</translation>
    </message>
    <message>
        <source>{year}年第三季度</source>
        <translation>Q3 {year}</translation>
    </message>
    <message>
        <source>{year}年第二季度</source>
        <translation>Q2 {year}</translation>
    </message>
    <message>
        <source>{year}年第四季度</source>
        <translation>Q4 {year}</translation>
    </message>
    <message>
        <source>“{entity}”不支持删除到回收站。</source>
        <translation>“{entity}” cannot be moved to the recycle bin.</translation>
    </message>
    <message>
        <source>“{text}”不是数字</source>
        <translation>“{text}” is not a number</translation>
    </message>
    <message>
        <source>“{text}”不是日期（Excel 日期序号应在 1990 到 2099 年之间）</source>
        <translation>“{text}” is not a date (an Excel date serial must fall between 1990 and 2099)</translation>
    </message>
    <message>
        <source>“{text}”不是有限的数字</source>
        <translation>“{text}” is not a finite number</translation>
    </message>
    <message>
        <source>“{text}”应为整数</source>
        <translation>“{text}” should be a whole number</translation>
    </message>
    <message>
        <source>“{text}”应填“是”或“否”</source>
        <translation>“{text}”: must be yes or no (Y/N)</translation>
    </message>
    <message>
        <source>“{text}”无法识别（可填：{choices}）</source>
        <translation>“{text}” not recognised (allowed: {choices})</translation>
    </message>
    <message>
        <source>“{title}”保存期限尚未届满</source>
        <translation>“{title}”: the retention period has not ended</translation>
    </message>
    <message>
        <source>“{title}”保存期限至 {until}，尚未届满</source>
        <translation>“{title}”: retained until {until}, not yet ended</translation>
    </message>
    <message>
        <source>“{title}”已登记销毁</source>
        <translation>“{title}” is already recorded as destroyed</translation>
    </message>
    <message>
        <source>“{title}”所属项目尚未竣工，保存期限未起算</source>
        <translation>“{title}”: its project is not completed, so the retention period has not started</translation>
    </message>
    <message>
        <source>“{title}”没有经承保机构书面批准的销毁申请</source>
        <translation>“{title}” has no destruction request approved in writing by the insurer</translation>
    </message>
    <message>
        <source>“{title}”状态为“{status}”</source>
        <translation>“{title}” is “{status}”</translation>
    </message>
    <message>
        <source>“{title}”的销毁时间早于承保机构批准时间</source>
        <translation>“{title}”: the destruction time is before the insurer&apos;s approval</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>一、二级隐患须填写整改期间的应急预案</source>
        <translation>Level 1 and 2 hazards need a contingency plan for the rectification period</translation>
    </message>
    <message>
        <source>一级</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <source>一级隐患 {number} 未于发现当日向{to}报告</source>
        <translation>Level 1 hazard {number} not reported to {to} on the day it was found</translation>
    </message>
    <message>
        <source>一级隐患 {number} 未提出停工或局部停工意见</source>
        <translation>Level 1 hazard {number}: no stop-work or partial stop-work recommendation</translation>
    </message>
    <message>
        <source>一级隐患待报告（当日）</source>
        <translation>Level 1 hazards to report (same day)</translation>
    </message>
    <message>
        <source>一级（重大）隐患须经现场复查后方可销项，请填写复查日期</source>
        <translation>A level 1 (major) hazard can only be closed after an on-site re-inspection; please enter the re-inspection date</translation>
    </message>
    <message>
        <source>三、四级隐患的整改通知已送达；销项经监理确认提交；无逾期未闭合。</source>
        <translation>Rectification notices for level 3 and 4 hazards were delivered; closures were confirmed and submitted by the supervisor; none is overdue.</translation>
    </message>
    <message>
        <source>三级</source>
        <translation>Level 3</translation>
    </message>
    <message>
        <source>下发整改通知</source>
        <translation>issue the rectification notice</translation>
    </message>
    <message>
        <source>不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入。</source>
        <translation>Old .xls files are not supported; use “Save As” .xlsx in Excel, then import.</translation>
    </message>
    <message>
        <source>不支持的文件类型：仅支持 {supported}。</source>
        <translation>Unsupported file type: only {supported}.</translation>
    </message>
    <message>
        <source>不是照片：仅支持 {photo_types} 图片</source>
        <translation>Not a photo: only {photo_types} images</translation>
    </message>
    <message>
        <source>不符合</source>
        <translation>Not met</translation>
    </message>
    <message>
        <source>不能取消自己的管理员权限或停用自己的账户</source>
        <translation>You cannot remove your own administrator rights or deactivate your own account</translation>
    </message>
    <message>
        <source>不能启用签名密钥</source>
        <translation>the signing key cannot be set up</translation>
    </message>
    <message>
        <source>不能更换密钥</source>
        <translation>the key cannot be rotated</translation>
    </message>
    <message>
        <source>不能签名资料包</source>
        <translation>review packages cannot be signed</translation>
    </message>
    <message>
        <source>不能签名资料包和文书</source>
        <translation>review packages and documents cannot be signed</translation>
    </message>
    <message>
        <source>不适用</source>
        <translation>Not applicable</translation>
    </message>
    <message>
        <source>与您指定的公钥一致</source>
        <translation>matches the key you gave</translation>
    </message>
    <message>
        <source>与登记公钥（指纹 {registered}）相符的私钥在 {path}（更换密钥时停用的旧密钥；恢复了更换密钥之前的备份时会出现这种情况）：请由系统管理员运行“riskdesk key-import &quot;{path}&quot; --user 管理员用户名”把它放回（数据目录中现有的私钥会移到 {retired} 文件夹保存，不会丢失）。</source>
        <translation>The private key matching the registered public key (fingerprint {registered}) is {path} (the old key retired by a key rotation; this happens after restoring a backup made before the rotation): a system administrator should run “riskdesk key-import &quot;{path}&quot; --user ADMIN-NAME” to put it back (the key now in the data folder is moved to the {retired} folder and kept, not lost).</translation>
    </message>
    <message>
        <source>与第 {row} 行重复</source>
        <translation>Duplicates row {row}</translation>
    </message>
    <message>
        <source>专职技术负责人</source>
        <translation>Full-time technical leads</translation>
    </message>
    <message>
        <source>中风险项目</source>
        <translation>Medium-risk projects</translation>
    </message>
    <message>
        <source>中风险项目未制定并签发专项服务方案</source>
        <translation>Medium-risk project without a signed special service plan</translation>
    </message>
    <message>
        <source>主管部门</source>
        <translation>Authority</translation>
    </message>
    <message>
        <source>事故预防技术服务工作方案</source>
        <translation>Accident-prevention service work plan</translation>
    </message>
    <message>
        <source>事故预防技术服务开展情况</source>
        <translation>Accident-prevention services delivered</translation>
    </message>
    <message>
        <source>事故预防费用</source>
        <translation>Prevention fee</translation>
    </message>
    <message>
        <source>二级</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <source>人工填写</source>
        <translation>Answered by hand</translation>
    </message>
    <message>
        <source>人工调整风险等级须填写理由</source>
        <translation>A manual change of the risk level needs a reason</translation>
    </message>
    <message>
        <source>仅支持 .xlsx 格式的表格，请在 Excel 中另存为 .xlsx 后导入</source>
        <translation>Only .xlsx workbooks are supported; save as .xlsx in Excel, then import</translation>
    </message>
    <message>
        <source>仍有{what}引用该记录，不能彻底删除。</source>
        <translation>Some {what} still refer to this record; it cannot be deleted for good.</translation>
    </message>
    <message>
        <source>以下档案不能申请销毁：{problems}</source>
        <translation>Destruction cannot be requested for these items: {problems}</translation>
    </message>
    <message>
        <source>任何工作表</source>
        <translation>any sheet</translation>
    </message>
    <message>
        <source>伤亡人数不能为负数</source>
        <translation>The number of casualties cannot be negative</translation>
    </message>
    <message>
        <source>低风险项目</source>
        <translation>Low-risk projects</translation>
    </message>
    <message>
        <source>作业人员数</source>
        <translation>Number of workers</translation>
    </message>
    <message>
        <source>保单</source>
        <translation>Policies</translation>
    </message>
    <message>
        <source>保单 {policy_no} 预防费用台账未列支已提供的 {delivered} 项服务</source>
        <translation>Policy {policy_no}: the prevention-fee ledger does not book the {delivered} services delivered</translation>
    </message>
    <message>
        <source>保单 {policy_no} 预防费用台账未登记预算</source>
        <translation>Policy {policy_no}: no budget recorded in the prevention-fee ledger</translation>
    </message>
    <message>
        <source>保单号</source>
        <translation>Policy no.</translation>
    </message>
    <message>
        <source>保单号“{policy_no}”已存在</source>
        <translation>Policy no. “{policy_no}” already exists</translation>
    </message>
    <message>
        <source>保存期满待处理的档案</source>
        <translation>Archive items past retention</translation>
    </message>
    <message>
        <source>保费</source>
        <translation>Premium</translation>
    </message>
    <message>
        <source>保险期间结束日期早于开始日期</source>
        <translation>The policy period ends before it starts</translation>
    </message>
    <message>
        <source>保险止期</source>
        <translation>Policy end</translation>
    </message>
    <message>
        <source>保险起期</source>
        <translation>Policy start</translation>
    </message>
    <message>
        <source>修改系统设置</source>
        <translation>change system settings</translation>
    </message>
    <message>
        <source>修改隐患</source>
        <translation>edit hazards</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work recommendation</translation>
    </message>
    <message>
        <source>停工建议无效</source>
        <translation>Invalid stop-work recommendation</translation>
    </message>
    <message>
        <source>停工（局部停工）建议书</source>
        <translation>Stop-work (partial) recommendation</translation>
    </message>
    <message>
        <source>健全管控体系。认真落实《浙江省建筑工程安全生产责任保险事故预防技术服务指南》，建立健全组织体系和安全生产管理制度，配备专职技术负责人，明确业务流程，强化人员管理，提升业务能力。</source>
        <translation>Sound control system. Implement the “Zhejiang Guide to Accident-Prevention Technical Services under Construction Work-Safety Liability Insurance” conscientiously; establish a sound organisation and work-safety management rules, appoint a full-time technical lead, define the business processes, strengthen staff management and improve professional capability.</translation>
    </message>
    <message>
        <source>全机构</source>
        <translation>whole agency</translation>
    </message>
    <message>
        <source>全覆盖检查</source>
        <translation>Full-coverage inspections</translation>
    </message>
    <message>
        <source>公钥文件不存在：{path}</source>
        <translation>The public key file does not exist: {path}</translation>
    </message>
    <message>
        <source>公钥格式无效（应为 64 位十六进制）。</source>
        <translation>Invalid public key format (expected 64 hexadecimal digits).</translation>
    </message>
    <message>
        <source>关联的重复隐患须属于同一项目</source>
        <translation>The earlier hazard it repeats must belong to the same project</translation>
    </message>
    <message>
        <source>关联的隐患不属于该项目</source>
        <translation>The linked hazard does not belong to this project</translation>
    </message>
    <message>
        <source>关键工序检查</source>
        <translation>Key-procedure inspections</translation>
    </message>
    <message>
        <source>关键工序检查须填写工序名称</source>
        <translation>A key-procedure inspection needs the procedure&apos;s name</translation>
    </message>
    <message>
        <source>其他情况</source>
        <translation>Other matters</translation>
    </message>
    <message>
        <source>列映射有误：{problem}</source>
        <translation>Column mapping error: {problem}</translation>
    </message>
    <message>
        <source>删除项目</source>
        <translation>delete projects</translation>
    </message>
    <message>
        <source>到期筛选无效</source>
        <translation>Invalid due filter</translation>
    </message>
    <message>
        <source>加强档案管理。建立健全档案管理制度，及时记录和保管各次服务形成的文档资料，确保服务过程可追溯和服务档案真实完整性。纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准。</source>
        <translation>Stronger records management. Establish sound archive rules; record and keep the documents of every service promptly so that the service can be traced and its records are true and complete. Paper records are kept at least five years after the project&apos;s completion, and their destruction needs the insurer&apos;s approval.</translation>
    </message>
    <message>
        <source>升级前备份数据库失败：{reason}</source>
        <translation>Backing up the database before the upgrade failed: {reason}</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>organisation</translation>
    </message>
    <message>
        <source>单位不存在。</source>
        <translation>The organisation does not exist.</translation>
    </message>
    <message>
        <source>单位名称不超过 200 个字符</source>
        <translation>The organisation&apos;s name may have at most 200 characters</translation>
    </message>
    <message>
        <source>单位类型无效</source>
        <translation>Invalid organisation type</translation>
    </message>
    <message>
        <source>危大工程“{name}”准备阶段未开展针对性风险识别</source>
        <translation>Hazardous work “{name}”: no targeted risk identification in the preparation stage</translation>
    </message>
    <message>
        <source>危大工程“{name}”施工阶段未开展专项检查</source>
        <translation>Hazardous work “{name}”: no targeted inspection during construction</translation>
    </message>
    <message>
        <source>危大工程专项检查</source>
        <translation>Targeted inspections of hazardous works</translation>
    </message>
    <message>
        <source>危大工程专项检查须选择该项目的一项危大工程</source>
        <translation>A targeted inspection needs one of this project&apos;s hazardous works</translation>
    </message>
    <message>
        <source>原密码不正确</source>
        <translation>The current password is wrong</translation>
    </message>
    <message>
        <source>参训作业人员（人次）</source>
        <translation>Workers trained (attendances)</translation>
    </message>
    <message>
        <source>参训管理人员（人次）</source>
        <translation>Managers trained (attendances)</translation>
    </message>
    <message>
        <source>发现日期</source>
        <translation>Date found</translation>
    </message>
    <message>
        <source>发现日期 {day} 适用《{title}》（{edition}版），所选条目出自{other}版；请按发现当日施行的版本选择判定条款</source>
        <translation>A hazard found on {day} is judged by “{title}” ({edition} edition), but the chosen item is from the {other} edition: choose the item from the edition in force on the day found</translation>
    </message>
    <message>
        <source>发现时间不能晚于当前时间</source>
        <translation>The time found cannot be in the future</translation>
    </message>
    <message>
        <source>受信任公钥名单文件已损坏：{path}</source>
        <translation>The trust list file is damaged: {path}</translation>
    </message>
    <message>
        <source>受信任名单中没有指纹为 {fingerprint} 的公钥。</source>
        <translation>No key with fingerprint {fingerprint} is on the trust list.</translation>
    </message>
    <message>
        <source>受信任名单中的“{name}”</source>
        <translation>“{name}” on the trust list</translation>
    </message>
    <message>
        <source>受信任的“{name}”的公钥指纹为 {fingerprint}，与本资料包的签名公钥不同。</source>
        <translation>The trusted key of “{name}” has the fingerprint {fingerprint}, which differs from this package&apos;s signing key.</translation>
    </message>
    <message>
        <source>另有 {n} 条记录在审计记录中显示存在，但数据库中已无此记录</source>
        <translation>{n} more records the audit log shows as existing are no longer in the database</translation>
    </message>
    <message>
        <source>另有 {n} 条记录在数据库中有，但审计记录中没有其创建记录</source>
        <translation>{n} more records are in the database with no entry creating them in the audit log</translation>
    </message>
    <message>
        <source>只支持 PostgreSQL（多台电脑共用）或本机 SQLite 文件</source>
        <translation>Only PostgreSQL (shared by several computers) or a local SQLite file is supported</translation>
    </message>
    <message>
        <source>只能彻底删除回收站中的记录，请先删除。</source>
        <translation>Only records in the recycle bin can be deleted for good; delete it first.</translation>
    </message>
    <message>
        <source>可能引发安全事故</source>
        <translation>May cause an accident</translation>
    </message>
    <message>
        <source>合同价</source>
        <translation>Contract value</translation>
    </message>
    <message>
        <source>合同类、台账类等资料是否规范、齐全。</source>
        <translation>Are contracts, ledgers and similar records in order and complete?</translation>
    </message>
    <message>
        <source>同一重大隐患判定条目</source>
        <translation>same major-hazard criterion</translation>
    </message>
    <message>
        <source>四级</source>
        <translation>Level 4</translation>
    </message>
    <message>
        <source>图片像素过多，无法作为附件保存。</source>
        <translation>The image has too many pixels to be kept as an attachment.</translation>
    </message>
    <message>
        <source>图片已损坏或无法识别</source>
        <translation>The image is damaged or not recognised</translation>
    </message>
    <message>
        <source>图片已损坏或无法识别，未保存。</source>
        <translation>The image is damaged or not recognised; not saved.</translation>
    </message>
    <message>
        <source>图片文件已损坏，无法生成缩略图，请运行“riskdesk check”检查附件库。</source>
        <translation>The image file is damaged and no thumbnail can be made; run “riskdesk check” to check the attachment store.</translation>
    </message>
    <message>
        <source>在{where}的前 {n} 行中找不到可识别的表头。</source>
        <translation>No recognisable header row in the first {n} rows of {where}.</translation>
    </message>
    <message>
        <source>地址不超过 300 个字符</source>
        <translation>The address may have at most 300 characters</translation>
    </message>
    <message>
        <source>培训</source>
        <translation>training session</translation>
    </message>
    <message>
        <source>培训内容未针对项目隐患类别（近期隐患：{categories}）</source>
        <translation>Training not aimed at the project&apos;s hazard categories (recent hazards: {categories})</translation>
    </message>
    <message>
        <source>培训场次</source>
        <translation>Training sessions</translation>
    </message>
    <message>
        <source>培训记录</source>
        <translation>training record</translation>
    </message>
    <message>
        <source>培训针对的类别与该项目此前发现的隐患类别相符。</source>
        <translation>The categories trained match the hazard categories found on the project before.</translation>
    </message>
    <message>
        <source>基坑开挖深度</source>
        <translation>Excavation depth</translation>
    </message>
    <message>
        <source>基坑开挖深度超过 100 米，请核对</source>
        <translation>An excavation deeper than 100 m: please check</translation>
    </message>
    <message>
        <source>填写自查人工项</source>
        <translation>answer manual self-check items</translation>
    </message>
    <message>
        <source>处置时效和时限要求。严格《浙江省建筑工程安全生产责任保险事故预防技术服务指南》要求跟踪处置各类风险隐患。及时建立风险隐患清单，明确隐患整改责任、措施、时限、预案，督促施工单位分级分类采取有效措施消除隐患，逐项跟踪整改落实，实现闭环管理，坚决防止隐患变成事故。对拒绝整改或拖延整改的投保项目，及时反馈承保机构和属地建设主管部门。</source>
        <translation>Timeliness of follow-up. Follow up every risk and hazard strictly as the “Zhejiang Guide to Accident-Prevention Technical Services under Construction Work-Safety Liability Insurance” requires. Keep a risk and hazard list up to date; define responsibility, measures, deadline and contingency plan for each hazard; urge the contractor to remove hazards by level and type with effective measures; follow each rectification through to closure so that no hazard becomes an accident. Report insured projects that refuse or delay rectification to the insurer and the local construction authority promptly.</translation>
    </message>
    <message>
        <source>处置跟踪情况</source>
        <translation>Follow-up of findings</translation>
    </message>
    <message>
        <source>备份中另有 {n} 个签名检查点无法用本机构的密钥核实（签名无效或由其他密钥签署），未用于核对。</source>
        <translation>{n} more signed checkpoints in the backup cannot be verified with this agency&apos;s keys (invalid signature or signed by another key) and were not used.</translation>
    </message>
    <message>
        <source>备份中没有签名检查点文件，但备份的审计记录表明此前已写入签名检查点（审计记录第 {id} 条起）：检查点文件可能被移除，无法核对备份中的审计记录是否被改动。</source>
        <translation>The backup has no signed checkpoint file, but its audit records show checkpoints were being written (from audit record {id}): the checkpoint file may have been removed, and whether the backup&apos;s audit records were altered cannot be checked.</translation>
    </message>
    <message>
        <source>备份中没有签名检查点，无法核对备份中的审计记录是否被改动（文件完整不代表内容未被改动）。</source>
        <translation>The backup has no signed checkpoints; whether its audit records were altered cannot be checked (an intact file does not mean unaltered contents).</translation>
    </message>
    <message>
        <source>备份中的 {n} 个签名检查点都无法用本机构的密钥核实（签名无效或由其他密钥签署），因此未能核对备份中的审计记录是否被改动。</source>
        <translation>None of the {n} signed checkpoints in the backup can be verified with this agency&apos;s keys (invalid signature or signed by another key), so the backup&apos;s audit records were not checked.</translation>
    </message>
    <message>
        <source>备份中的审计记录与同一备份中的签名检查点不符，备份可能在程序之外被改动，不能恢复。未做任何改动。
{problems}</source>
        <translation>The backup&apos;s audit records do not match the signed checkpoints in the same backup; the backup may have been altered outside the program and cannot be restored. Nothing was changed.
{problems}</translation>
    </message>
    <message>
        <source>备份中的审计记录无法读取（{reason}），未做任何改动。</source>
        <translation>The audit records in the backup cannot be read ({reason}); nothing was changed.</translation>
    </message>
    <message>
        <source>备份中的数据库没有结构版本记录（不是可用的 RiskDesk 数据库），未做任何改动。</source>
        <translation>The database in the backup has no schema version record (not a usable RiskDesk database); nothing was changed.</translation>
    </message>
    <message>
        <source>备份中的数据库结构版本无法读取（{reason}），未做任何改动。</source>
        <translation>The schema version of the database in the backup cannot be read ({reason}); nothing was changed.</translation>
    </message>
    <message>
        <source>备份数据</source>
        <translation>back up data</translation>
    </message>
    <message>
        <source>备份文件中不含私钥。与登记公钥（指纹 {registered}）相符的私钥可能在此前用“riskdesk key-export”导出的密钥文件中（数据目录的 {retired} 文件夹中没有相符的私钥）：找到后请由系统管理员运行“riskdesk key-import 密钥文件 --user 管理员用户名”导入（数据目录中现有的私钥会移到 {retired} 文件夹保存，不会丢失）。</source>
        <translation>Backup files never contain the private key. The private key matching the registered public key (fingerprint {registered}) may be in a key file exported earlier with “riskdesk key-export” (the data folder&apos;s {retired} folder holds no matching key): once found, a system administrator should import it with “riskdesk key-import KEY-FILE --user ADMIN-NAME” (the key now in the data folder is moved to the {retired} folder and kept, not lost).</translation>
    </message>
    <message>
        <source>备份来自更新版本的 RiskDesk（数据库结构未知），请先升级程序。未做任何改动。</source>
        <translation>The backup comes from a newer version of RiskDesk (unknown database schema); please upgrade the program first. Nothing was changed.</translation>
    </message>
    <message>
        <source>复查日期不能早于发现日期</source>
        <translation>The re-inspection date cannot be before the date found</translation>
    </message>
    <message>
        <source>复查退回</source>
        <translation>send back after re-inspection</translation>
    </message>
    <message>
        <source>复查销项</source>
        <translation>verify and close</translation>
    </message>
    <message>
        <source>复查销项单</source>
        <translation>Re-inspection close-out record</translation>
    </message>
    <message>
        <source>存放位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>安全教育培训记录</source>
        <translation>Safety training record</translation>
    </message>
    <message>
        <source>安全生产分析</source>
        <translation>work-safety analysis</translation>
    </message>
    <message>
        <source>安全生产分析报告</source>
        <translation>Work-safety analysis report</translation>
    </message>
    <message>
        <source>安全风险评估。依据风险识别和隐患排查结果对工程项目进行安全风险评估，摸清项目风险等级底数，形成高度风险、中度风险和低度风险项目清单，根据风险等级制定服务形式和频次等内容。</source>
        <translation>Safety risk assessment. Assess each project&apos;s safety risk from the results of risk identification and hazard inspection, establish every project&apos;s risk level, keep lists of high-, medium- and low-risk projects, and set the form and frequency of service by risk level.</translation>
    </message>
    <message>
        <source>安责险第三方风控服务机构检查表（自查）</source>
        <translation>Third-party risk-control agency checklist (self-check)</translation>
    </message>
    <message>
        <source>审批时间不能早于申请时间</source>
        <translation>The approval time cannot be before the request</translation>
    </message>
    <message>
        <source>审批时间不能晚于当前时间</source>
        <translation>The approval time cannot be in the future</translation>
    </message>
    <message>
        <source>审计检查点文件记有 {n} 个签名检查点</source>
        <translation>the audit checkpoint file holds {n} signed checkpoints</translation>
    </message>
    <message>
        <source>审计检查点文件记有 {n} 个签名检查点（最近一个记有 {count} 条审计记录）</source>
        <translation>the audit checkpoint file holds {n} signed checkpoints (the newest counts {count} audit entries)</translation>
    </message>
    <message>
        <source>审计记录与备份中的 {n} 个签名检查点一致</source>
        <translation>Audit records match the {n} signed checkpoints in the backup</translation>
    </message>
    <message>
        <source>审计记录未能与签名检查点核对（见下方说明）</source>
        <translation>Audit records could not be checked against signed checkpoints (see below)</translation>
    </message>
    <message>
        <source>审计记录缺失：最近 {n} 条审计记录不在备份中（{at} 的签名检查点记有 {count} 条、至第 {last} 条，备份中的数据库只有 {now} 条、至第 {now_last} 条）</source>
        <translation>Audit records missing: the latest {n} audit records are not in the backup (the signed checkpoint of {at} records {count} entries up to no. {last}; the backup&apos;s database has only {now}, up to no. {now_last})</translation>
    </message>
    <message>
        <source>审计链与签名检查点不符：备份中审计记录第 {id} 条之前的链与签名检查点不一致，审计记录可能被改动后重算</source>
        <translation>Audit chain does not match a signed checkpoint: the chain up to audit record {id} in the backup differs from the signed checkpoint; the audit records may have been altered and recomputed</translation>
    </message>
    <message>
        <source>宣传教育培训。按照合同约定编制教育培训计划，对投保单位全部或部分管理人员和施工作业人员开展法律法规、安全技术标准等培训，提高从业人员安全生产意识和安全技能水平，减少违规指挥、违章作业和违反劳动纪律等行为。</source>
        <translation>Safety education and training. Draw up a training plan as the contract provides; train all or some of the insured&apos;s managers and workers in laws, regulations and technical safety standards, raising their safety awareness and skills and reducing unlawful orders, rule-breaking work and breaches of labour discipline.</translation>
    </message>
    <message>
        <source>宣传教育培训内容是否具有针对性。</source>
        <translation>Is the training content targeted?</translation>
    </message>
    <message>
        <source>宣传教育培训是否覆盖全部管理人员和施工作业人员。</source>
        <translation>Does the training cover all managers and workers?</translation>
    </message>
    <message>
        <source>密码至少 {n} 位</source>
        <translation>The password needs at least {n} characters</translation>
    </message>
    <message>
        <source>密码连续错误 {max_failures} 次，账户已锁定 15 分钟。</source>
        <translation>Wrong password {max_failures} times in a row: the account is locked for 15 minutes.</translation>
    </message>
    <message>
        <source>密码须同时包含字母和数字（或符号）</source>
        <translation>The password needs both letters and digits (or symbols)</translation>
    </message>
    <message>
        <source>密钥更换声明文件已损坏：{path}</source>
        <translation>The key rotation statement file is damaged: {path}</translation>
    </message>
    <message>
        <source>密钥更换声明文件无法读取：{path}（{reason}）</source>
        <translation>The key rotation statement file cannot be read: {path} ({reason})</translation>
    </message>
    <message>
        <source>导入数据</source>
        <translation>import data</translation>
    </message>
    <message>
        <source>导入未执行：发现 {n} 个问题，未写入任何数据。</source>
        <translation>Nothing imported: {n} problems found, no data written.</translation>
    </message>
    <message>
        <source>导入机构签名私钥</source>
        <translation>import the agency&apos;s signing key</translation>
    </message>
    <message>
        <source>导入类型须为 {kinds}</source>
        <translation>The import type must be one of {kinds}</translation>
    </message>
    <message>
        <source>导出以本机构密钥签名的评审资料包</source>
        <translation>export review packages signed with the agency&apos;s key</translation>
    </message>
    <message>
        <source>导出数据</source>
        <translation>export data</translation>
    </message>
    <message>
        <source>导出文件须为 .pdf 或 .xlsx 格式</source>
        <translation>The export file must be .pdf or .xlsx</translation>
    </message>
    <message>
        <source>导出机构签名私钥</source>
        <translation>export the agency&apos;s signing key</translation>
    </message>
    <message>
        <source>将使用本机数据目录中的 SQLite 数据库。</source>
        <translation>The SQLite database in the local data folder will be used.</translation>
    </message>
    <message>
        <source>尚未到期</source>
        <translation>Not yet due</translation>
    </message>
    <message>
        <source>尚未生成机构签名密钥，无需更换；请先在“机构信息”中生成。</source>
        <translation>The agency has no signing key yet, so there is nothing to rotate; generate one under “Agency information” first.</translation>
    </message>
    <message>
        <source>尚未登记向{names}的报告，不能销项</source>
        <translation>Reports to {names} are not recorded yet; the hazard cannot be closed</translation>
    </message>
    <message>
        <source>尚未登记风控机构信息，不能保存依据文件。</source>
        <translation>The agency&apos;s details are not registered yet; the evidence file cannot be kept.</translation>
    </message>
    <message>
        <source>尚未载入风险源清单，请先导入官方表格或载入自带的起步清单。</source>
        <translation>No risk-source list is loaded; import the official table or load the built-in starter list first.</translation>
    </message>
    <message>
        <source>工作簿中没有名为“{sheet}”的工作表（有：{sheets}）</source>
        <translation>The workbook has no sheet named “{sheet}” (it has: {sheets})</translation>
    </message>
    <message>
        <source>工作表“{sheet}”</source>
        <translation>sheet “{sheet}”</translation>
    </message>
    <message>
        <source>工作表“{sheet}”在表头之下没有数据行，没有可导入的内容</source>
        <translation>Sheet “{sheet}” has no data rows below the header: nothing to import</translation>
    </message>
    <message>
        <source>工程类型</source>
        <translation>Project type</translation>
    </message>
    <message>
        <source>已保存 {n} 张照片。</source>
        <translation>{n} photos saved.</translation>
    </message>
    <message>
        <source>已协助编制或提出建议的项目</source>
        <translation>Projects helped with a plan or written advice</translation>
    </message>
    <message>
        <source>已取消：已保存 {n} 张，其余未保存。</source>
        <translation>Cancelled: {n} photos saved, the rest not.</translation>
    </message>
    <message>
        <source>已完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>已完成的报告</source>
        <translation>Reports done</translation>
    </message>
    <message>
        <source>已建档案台账的项目</source>
        <translation>Projects with an archive register</translation>
    </message>
    <message>
        <source>已开展首次风险辨识的项目</source>
        <translation>Projects with a first risk identification</translation>
    </message>
    <message>
        <source>已强制恢复：恢复时另有 {n} 个会话连接数据库，这些窗口和程序须重新连接后再使用。</source>
        <translation>Restore forced: {n} other sessions were connected to the database during the restore; those windows and programs must reconnect before they are used again.</translation>
    </message>
    <message>
        <source>已批准</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>已指定项目负责人的项目</source>
        <translation>Projects with a project lead</translation>
    </message>
    <message>
        <source>已核查（{percent:.1f}%）</source>
        <translation>Verified ({percent:.1f}%)</translation>
    </message>
    <message>
        <source>已检查的阶段</source>
        <translation>Stages inspected</translation>
    </message>
    <message>
        <source>已签发成果文书</source>
        <translation>Signed output documents</translation>
    </message>
    <message>
        <source>已签发的文书不能彻底删除。</source>
        <translation>A signed document cannot be deleted for good.</translation>
    </message>
    <message>
        <source>已签发的文书是正式记录，不能删除；如有错误请出具更正版本。</source>
        <translation>A signed document is an official record and cannot be deleted; issue a corrected revision if it is wrong.</translation>
    </message>
    <message>
        <source>已评估</source>
        <translation>Evaluated</translation>
    </message>
    <message>
        <source>已送达</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>已销毁</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>已闭合</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>已驳回</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>应出具成果（期间×类别）</source>
        <translation>Outputs owed (periods × types)</translation>
    </message>
    <message>
        <source>应发现的重大隐患而未发现的。</source>
        <translation>A major hazard that should have been found was missed.</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>drill</translation>
    </message>
    <message>
        <source>应急演练记录及评估报告</source>
        <translation>Emergency drill record and evaluation</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency plan</translation>
    </message>
    <message>
        <source>应急预案不超过 {max_text} 字</source>
        <translation>The contingency plan may have at most {max_text} characters</translation>
    </message>
    <message>
        <source>应急预案编制与演练。按照合同约定协助投保单位编制安全生产事故应急预案，协助组织应急救援演练，并对演练成效开展总结评估。</source>
        <translation>Emergency plans and drills. As the contract provides, help the insured prepare its accident emergency plan, help organise emergency drills, and review and evaluate how well each drill went.</translation>
    </message>
    <message>
        <source>应核查的一、二级风险源（个·季度）</source>
        <translation>Level 1/2 risk sources to verify (source-quarters)</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>开工日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>强化服务成效。服务机构应按照合同约定、服务指南等相关规定，全面开展事故预防技术服务，及时开展风险评估和隐患排查，有效缓解、杜绝投保项目安全生产事故发生。不断完善服务内容形式，听取各方意见建议，不断提高服务能力和效率。</source>
        <translation>Effective service. The agency delivers the full accident-prevention service as the contract, the service guide and related rules require, assesses risks and inspects for hazards promptly, and effectively reduces and prevents accidents on insured projects. It keeps improving the content and form of its service, listens to every party&apos;s views and keeps raising its capability and efficiency.</translation>
    </message>
    <message>
        <source>归档人不存在</source>
        <translation>The person filing does not exist</translation>
    </message>
    <message>
        <source>归档日期不能晚于今天</source>
        <translation>The filing date cannot be after today</translation>
    </message>
    <message>
        <source>当前数据目录没有机构签名密钥或登记的公钥，备份中也没有登记公钥，无法核实签名检查点，因此未能核对备份中的审计记录是否被改动。</source>
        <translation>This data folder has no agency signing key or registered public key, and the backup has no registered key either: the signed checkpoints cannot be verified, so the backup&apos;s audit records were not checked.</translation>
    </message>
    <message>
        <source>当前数据目录没有机构签名密钥或登记的公钥，签名检查点只能用备份自带的公钥核实（公钥指纹 {fp}）：请与本机构公布的公钥指纹核对一致。</source>
        <translation>This data folder has no agency signing key or registered public key; the signed checkpoints could only be verified with the key in the backup itself (fingerprint {fp}): compare it with the fingerprint your agency published.</translation>
    </message>
    <message>
        <source>当日报告的一级隐患</source>
        <translation>Level 1 hazards reported the same day</translation>
    </message>
    <message>
        <source>彻底删除回收站记录</source>
        <translation>purge records from the recycle bin</translation>
    </message>
    <message>
        <source>待人工填写</source>
        <translation>To answer</translation>
    </message>
    <message>
        <source>待承保机构审批</source>
        <translation>Awaiting insurer</translation>
    </message>
    <message>
        <source>恢复后的数据库中有 {rows} 条附件记录的文件不在备份中（缺 {files} 个文件）。被替换的原有数据中可能有这些文件：请保留 {aside}，不要删除。</source>
        <translation>{rows} attachment records in the restored database have no file in the backup ({files} files missing). The replaced data may contain these files: keep {aside}, do not delete it.</translation>
    </message>
    <message>
        <source>恢复后的数据库中有 {rows} 条附件记录的文件不在备份中（缺 {files} 个文件），这些附件无法打开。</source>
        <translation>{rows} attachment records in the restored database have no file in the backup ({files} files missing); these attachments cannot be opened.</translation>
    </message>
    <message>
        <source>恢复数据</source>
        <translation>restore data</translation>
    </message>
    <message>
        <source>您指定的公钥文件</source>
        <translation>the key file you gave</translation>
    </message>
    <message>
        <source>您指定的指纹</source>
        <translation>the fingerprint you gave</translation>
    </message>
    <message>
        <source>成果出具期限须为 1 到 366 之间的整数天</source>
        <translation>Deadlines for delivering outputs must be whole days from 1 to 366</translation>
    </message>
    <message>
        <source>成果管理情况</source>
        <translation>Management of outputs</translation>
    </message>
    <message>
        <source>所属区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>所选单位不存在</source>
        <translation>The chosen organisation does not exist</translation>
    </message>
    <message>
        <source>所选单位不存在或类型不符</source>
        <translation>The chosen organisation does not exist or is of the wrong type</translation>
    </message>
    <message>
        <source>所选施工阶段不属于该项目</source>
        <translation>The chosen stage does not belong to this project</translation>
    </message>
    <message>
        <source>所选条目不是重大事故隐患判定标准中的条目</source>
        <translation>The chosen entry is not a criterion of the major-hazard standard</translation>
    </message>
    <message>
        <source>所选档案属于不同承保机构或无保单，请按承保机构分别申请</source>
        <translation>The chosen items belong to different insurers or have no policy; request each insurer separately</translation>
    </message>
    <message>
        <source>所选检查人员不存在</source>
        <translation>A chosen inspector does not exist</translation>
    </message>
    <message>
        <source>所选检查记录不属于该项目</source>
        <translation>The chosen inspection does not belong to this project</translation>
    </message>
    <message>
        <source>所选评价单位不存在或类型不符</source>
        <translation>The chosen evaluator does not exist or is of the wrong type</translation>
    </message>
    <message>
        <source>所选风险源不是该项目的一、二级风险源</source>
        <translation>A chosen risk source is not a level 1/2 risk source of this project</translation>
    </message>
    <message>
        <source>批复扫描件须作为本销毁申请的附件上传</source>
        <translation>The scanned approval must be uploaded as an attachment of this destruction request</translation>
    </message>
    <message>
        <source>找不到列“{column}”</source>
        <translation>column “{column}” not found</translation>
    </message>
    <message>
        <source>找不到文件：{path}</source>
        <translation>File not found: {path}</translation>
    </message>
    <message>
        <source>找不到机构签名私钥（{path}），{refusal}。{advice}</source>
        <translation>The agency signing key was not found ({path}); {refusal}. {advice}</translation>
    </message>
    <message>
        <source>找不到机构签名私钥（{path}），请在“机构信息”中生成签名密钥。</source>
        <translation>The agency&apos;s private signing key was not found ({path}); generate a signing key under “Agency details”.</translation>
    </message>
    <message>
        <source>找不到该项目</source>
        <translation>Project not found</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>insurer</translation>
    </message>
    <message>
        <source>投诉答复期限须为 1 到 60 之间的整数个工作日（一般投诉、需核实的投诉各一项）</source>
        <translation>Complaint reply deadlines must be whole working days from 1 to 60 (one for ordinary complaints, one for complaints whose facts must be checked)</translation>
    </message>
    <message>
        <source>投诉记录</source>
        <translation>complaint</translation>
    </message>
    <message>
        <source>投诉记录不存在或已删除。</source>
        <translation>The complaint does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>报告时间（{at}）不能早于隐患 {number} 的发现时间（{found}），请核对报告时间</source>
        <translation>The report time ({at}) cannot be earlier than when hazard {number} was found ({found}); please check the report time</translation>
    </message>
    <message>
        <source>数据库中有 {rows} 条附件记录的文件不在附件库中（缺 {files} 个文件），备份中也就没有这些文件。请运行“riskdesk check”查看，并设法找回这些文件。</source>
        <translation>{rows} attachment records in the database have no file in the attachment store ({files} files missing), so the backup does not contain them either. Run “riskdesk check” to see them, and try to recover these files.</translation>
    </message>
    <message>
        <source>数据库来自更新版本的 RiskDesk（结构版本 {revision}），请升级程序。</source>
        <translation>The database comes from a newer version of RiskDesk (schema version {revision}); please upgrade the program.</translation>
    </message>
    <message>
        <source>数据库正被另外 {n} 个会话连接，不能恢复：{where}。请先关闭这些 RiskDesk 窗口和命令（或其他连接该数据库的程序），未做任何改动。确需恢复时，管理员可强制恢复（riskdesk restore --force），这些会话之后须重新连接。</source>
        <translation>The database is in use by {n} other sessions, so it cannot be restored: {where}. Close those RiskDesk windows and commands (or other programs connected to the database) first; nothing was changed. If the restore must go ahead, an administrator can force it (riskdesk restore --force); those sessions must reconnect afterwards.</translation>
    </message>
    <message>
        <source>数据目录中没有可用的数据库（{path}），但目录中仍有数据：{held}。数据库文件可能已丢失或被移走，不会在此新建空数据库：请用“riskdesk restore 备份文件 --user 备份中的系统管理员”从备份恢复，或把数据库文件放回原处。</source>
        <translation>The data folder has no usable database ({path}), but it still holds data: {held}. The database file may have been lost or moved, so no empty database will be created here: restore a backup with “riskdesk restore BACKUP-FILE --user ADMIN-IN-THE-BACKUP”, or put the database file back.</translation>
    </message>
    <message>
        <source>数据目录中没有可用的数据库（{path}），但目录中仍有数据：{held}。数据库文件可能已丢失或被移走：请用“riskdesk restore 备份文件 --user 备份中的系统管理员”从备份恢复，或把数据库文件放回原处；不要运行“riskdesk init”，它会新建一个空数据库。</source>
        <translation>The data folder has no usable database ({path}), but it still holds data: {held}. The database file may have been lost or moved: restore a backup with “riskdesk restore BACKUP-FILE --user ADMIN-IN-THE-BACKUP”, or put the database file back; do not run “riskdesk init”, which would create an empty database.</translation>
    </message>
    <message>
        <source>数据目录中的签名私钥（指纹 {found}）与机构登记的公钥不一致，{refusal}。{advice}</source>
        <translation>The signing key in the data folder (fingerprint {found}) does not match the agency&apos;s registered public key; {refusal}. {advice}</translation>
    </message>
    <message>
        <source>文书无法签名</source>
        <translation>documents cannot be signed</translation>
    </message>
    <message>
        <source>文书类别字须为 1 到 6 个文字，不含括号、空格和符号</source>
        <translation>Document category characters must be 1 to 6 characters, without brackets, spaces or symbols</translation>
    </message>
    <message>
        <source>文件完整（{n} 个文件的校验值一致）</source>
        <translation>Files intact (checksums of {n} files match)</translation>
    </message>
    <message>
        <source>本资料包的签名公钥也与{name}不符（应为 {fingerprint}）。</source>
        <translation>This package&apos;s signing key does not match {name} either (expected {fingerprint}).</translation>
    </message>
    <message>
        <source>机构代字须为不超过 20 字的文字，不含括号、空格和符号</source>
        <translation>The agency code must be text of at most 20 characters, without brackets, spaces or symbols</translation>
    </message>
    <message>
        <source>机构签名私钥文件不存在（{path}），不能签名资料包和文书。{advice}</source>
        <translation>The agency signing key file does not exist ({path}); review packages and documents cannot be signed. {advice}</translation>
    </message>
    <message>
        <source>机构签名私钥文件丢失（{path}）。{advice}确认无法找回时可重新生成（此前的评审资料包仍可用旧公钥核验）。</source>
        <translation>The agency signing key file is missing ({path}). {advice} If it cannot be found, a new key can be generated (earlier review packages still verify with the old public key).</translation>
    </message>
    <message>
        <source>档案保存年限只能延长，不能缩短（现为竣工后 {years} 年）</source>
        <translation>The archive retention period may only be extended, not shortened (now {years} years after completion)</translation>
    </message>
    <message>
        <source>注意：资料包自称的机构名称“{agency}”与受信任的“{name}”看似相同（只差不可见字符或全角/半角符号），但签名密钥不同，可能是伪造的资料包。</source>
        <translation>Note: the agency name the package claims, “{agency}”, looks the same as the trusted “{name}” (it differs only in invisible characters or full-width/half-width symbols), but the signing key is different; the package may be forged.</translation>
    </message>
    <message>
        <source>签名者与预期不符：{name}的公钥指纹为 {fingerprint}，与本资料包的签名公钥不同。</source>
        <translation>Signer not as expected: the key fingerprint of {name} is {fingerprint}, which differs from the key that signed this package.</translation>
    </message>
    <message>
        <source>签名者未经核实：该签名公钥不在受信任名单中，也未用 --trust 指定。资料包自称由“{agency}”签发，但任何人都能自行生成密钥并写上任意机构名称。请向该机构索取公钥登记函，核对上列指纹一致后，用“riskdesk trust add 公钥文件 --name 机构名称”加入受信任名单，或核验时用 --trust 指定。</source>
        <translation>Signer not verified: the signing key is not on the trust list and was not given with --trust. The package claims to be issued by “{agency}”, but anyone can make a key and write any agency name. Ask the agency for its key letter, check that the fingerprint above matches, then add the key with “riskdesk trust add KEYFILE --name AGENCY” or give it with --trust.</translation>
    </message>
    <message>
        <source>签名者：已核实——{who}。</source>
        <translation>Signer: verified — {who}.</translation>
    </message>
    <message>
        <source>签名者：已核实——签名密钥经密钥更换声明启用，声明由受信任的旧密钥（{who}，指纹 {fingerprint}）签署。</source>
        <translation>Signer: verified — the signing key was announced by a key rotation statement signed with a trusted old key ({who}, fingerprint {fingerprint}).</translation>
    </message>
    <message>
        <source>签名：无效（manifest.json 被修改，或不是由所附公钥对应的私钥签名）</source>
        <translation>Signature: invalid (manifest.json was modified, or was not signed with the private key of the enclosed public key)</translation>
    </message>
    <message>
        <source>结论：资料包内容完整（{n} 个文件核对一致），但签名者未经核实。</source>
        <translation>Result: the contents are intact ({n} files match), but the signer is not verified.</translation>
    </message>
    <message>
        <source>结论：资料包完整，签名者已核实，{n} 个文件全部核对一致。</source>
        <translation>Result: the package is intact and the signer verified; all {n} files match.</translation>
    </message>
    <message>
        <source>{date} 已答复</source>
        <translation>answered {date}</translation>
    </message>
    <message>
        <source>  密钥更换声明（{date}）：{old} → {new}</source>
        <translation>  Key rotation statement ({date}): {old} → {new}</translation>
    </message>
    <message>
        <source>--trust 应为公钥文件或 64 位十六进制的指纹：{value}</source>
        <translation>--trust must be a public key file or a 64-digit hexadecimal fingerprint: {value}</translation>
    </message>
    <message>
        <source>Excel 文件 {name} 中找不到条目表：除“版本信息”外，应有一个工作表在前 {n} 行内含“编号”和“内容”两列的表头。</source>
        <translation>No item sheet in the Excel file {name}: besides the edition-information sheet, one sheet needs a header with a code and a text column within its first {n} rows.</translation>
    </message>
    <message>
        <source>Excel 文件 {name} 中找不到评定规则表：应有一个工作表在前 {n} 行内含“项目”和“取值”两列的表头。</source>
        <translation>No grading table in the Excel file {name}: a sheet should have a header with the item and value columns (Chinese headings, as the documentation gives them) within its first {n} rows.</translation>
    </message>
    <message>
        <source>Excel 文件 {name} 中没有“版本信息”工作表：请按说明在其中填写代码、类别、版本、名称、文号、发布日期、施行日期和官方文本。</source>
        <translation>The Excel file {name} has no edition-information sheet: fill in the code, kind, edition, title, document number, issue date, effective date and whether it is the official text there, as the manual describes.</translation>
    </message>
    <message>
        <source>Excel 文件 {name} 有 {n} 处问题，未导入任何内容：
{problems}</source>
        <translation>The Excel file {name} has {n} problems; nothing was imported:
{problems}</translation>
    </message>
    <message>
        <source>pg_dump 备份</source>
        <translation>pg_dump backup</translation>
    </message>
    <message>
        <source>pg_restore 恢复</source>
        <translation>pg_restore restore</translation>
    </message>
    <message>
        <source>{count} 项隐患已过整改期限仍未闭合（最早 {first} 到期：隐患 {number}）</source>
        <translation>{count} hazards past their rectification deadline and still open (earliest due {first}: hazard {number})</translation>
    </message>
    <message>
        <source>{date} 已答复（晚于按周一至周五估算的期限 {due}；{years}年：该年度节假日安排未载入）</source>
        <translation>replied {date} (after the deadline {due} estimated on Mondays to Fridays; {years}: that year&apos;s holiday arrangement is not loaded)</translation>
    </message>
    <message>
        <source>{date} 已答复（逾期）</source>
        <translation>answered {date} (late)</translation>
    </message>
    <message>
        <source>{evaluator} {period} 评价：{result}（未认可）</source>
        <translation>{evaluator}, evaluation for {period}: {result} (not recognised)</translation>
    </message>
    <message>
        <source>{kind}</source>
        <translation>{kind}</translation>
    </message>
    <message>
        <source>{kind}已签发（{number}），如需修改请生成更正版本。</source>
        <translation>The {kind} is already signed ({number}); to change it, draft a correction.</translation>
    </message>
    <message>
        <source>{kind}（{where}）</source>
        <translation>{kind} ({where})</translation>
    </message>
    <message>
        <source>{kind}：{description}{deaths}{found_by}</source>
        <translation>{kind}: {description}{deaths}{found_by}</translation>
    </message>
    <message>
        <source>{label} {name}：审计记录显示存在，但数据库中已无此记录</source>
        <translation>{label} {name}: the audit log shows this record exists, but it is no longer in the database</translation>
    </message>
    <message>
        <source>{label} {name}：审计记录显示已被清除，但数据库中仍有此记录</source>
        <translation>{label} {name}: the audit log shows it purged, but the database still has it</translation>
    </message>
    <message>
        <source>{label} {name}：数据库中有此记录，但审计记录中没有其创建记录</source>
        <translation>{label} {name}: this record is in the database, but the audit log has no entry creating it</translation>
    </message>
    <message>
        <source>{number}（第{revision}版）</source>
        <translation>{number} (revision {revision})</translation>
    </message>
    <message>
        <source>{n} 起</source>
        <translation>{n} incident(s)</translation>
    </message>
    <message>
        <source>{n} 项</source>
        <translation>{n} item(s)</translation>
    </message>
    <message>
        <source>{period}{title}</source>
        <translation>{title}, {period}</translation>
    </message>
    <message>
        <source>{period}培训尚未达标的项目</source>
        <translation>Training not yet up to the rule in {period}</translation>
    </message>
    <message>
        <source>{period}尚未开展全覆盖检查的项目</source>
        <translation>No full-coverage inspection yet in {period}</translation>
    </message>
    <message>
        <source>{period}未开展全覆盖检查</source>
        <translation>{period}: no full-coverage inspection</translation>
    </message>
    <message>
        <source>{what}失败：{reason}</source>
        <translation>{what} failed: {reason}</translation>
    </message>
    <message>
        <source>{what}未报送{to}（应于 {deadline} 前）</source>
        <translation>{what} not submitted to {to} (due by {deadline})</translation>
    </message>
    <message>
        <source>{what}逾期报送{to}（{at}）</source>
        <translation>{what} submitted late to {to} ({at})</translation>
    </message>
    <message>
        <source>“{code}”</source>
        <translation>“{code}”</translation>
    </message>
    <message>
        <source>“{label}”与第 {row} 行重复</source>
        <translation>“{label}” repeats row {row}</translation>
    </message>
    <message>
        <source>“{text}”不是评定规则项，应为：{labels}</source>
        <translation>“{text}” is not a grading item; expected: {labels}</translation>
    </message>
    <message>
        <source>“{text}”应写作“目录代码 条目编号”，如 major_hazard@2024 05-3；多项用分号隔开</source>
        <translation>“{text}” should read “catalogue code item code”, e.g. major_hazard@2024 05-3; separate several with semicolons</translation>
    </message>
    <message>
        <source>“{text}”无效，应为高、中、低之一</source>
        <translation>“{text}” is invalid; expected high, medium or low</translation>
    </message>
    <message>
        <source>……另有 {n} 处问题</source>
        <translation>… and {n} more problems</translation>
    </message>
    <message>
        <source>不安全的文件名：{name}</source>
        <translation>Unsafe file name: {name}</translation>
    </message>
    <message>
        <source>不是有效的 .xlsx 文件（文件已损坏，或是其他格式的文件改成了 .xlsx 扩展名）</source>
        <translation>not a valid .xlsx file (the file is damaged, or a file of another format was renamed to .xlsx)</translation>
    </message>
    <message>
        <source>不能为空</source>
        <translation>must not be empty</translation>
    </message>
    <message>
        <source>不能登记销毁：{problems}。档案须先经承保机构书面批准方可销毁。</source>
        <translation>Destruction cannot be recorded: {problems}. Archive items may be destroyed only after the insurer&apos;s written approval.</translation>
    </message>
    <message>
        <source>不能超过 {n} 个字符（现有 {count} 个）</source>
        <translation>must not exceed {n} characters (has {count})</translation>
    </message>
    <message>
        <source>主要建议</source>
        <translation>Main suggestions</translation>
    </message>
    <message>
        <source>从回收站恢复</source>
        <translation>restored from the recycle bin</translation>
    </message>
    <message>
        <source>保单不存在或已删除。</source>
        <translation>The policy does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>修改</source>
        <translation>changed</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>password changed</translation>
    </message>
    <message>
        <source>共 {total:,} 条，超过 Excel 单表上限 {limit:,} 行，请缩小筛选范围后再导出</source>
        <translation>{total:,} rows exceed the Excel limit of {limit:,} rows per sheet; narrow the filter and export again</translation>
    </message>
    <message>
        <source>关联的服务记录不存在</source>
        <translation>The linked service record does not exist</translation>
    </message>
    <message>
        <source>关联的服务记录不属于该保单的项目</source>
        <translation>The linked service record does not belong to this policy&apos;s project</translation>
    </message>
    <message>
        <source>关联记录的服务类别应为“{kind}”</source>
        <translation>The service type of the linked record should be “{kind}”</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>内存数据库不能备份。</source>
        <translation>An in-memory database cannot be backed up.</translation>
    </message>
    <message>
        <source>删除（移入回收站）</source>
        <translation>deleted (to the recycle bin)</translation>
    </message>
    <message>
        <source>区县不超过 50 个字符</source>
        <translation>District: at most 50 characters</translation>
    </message>
    <message>
        <source>危大工程施工中</source>
        <translation>Hazardous works in progress</translation>
    </message>
    <message>
        <source>参演人数不能为负数</source>
        <translation>The number of participants cannot be negative</translation>
    </message>
    <message>
        <source>参训项目不存在</source>
        <translation>The attending project does not exist</translation>
    </message>
    <message>
        <source>及时将服务成果上报承保机构和属地建设主管部门</source>
        <translation>Report the service outputs to the insurer and the local construction authority in time</translation>
    </message>
    <message>
        <source>双方确认</source>
        <translation>confirmed by both parties</translation>
    </message>
    <message>
        <source>发生死亡或较大及以上事故</source>
        <translation>Fatal or larger accident</translation>
    </message>
    <message>
        <source>另有 {n} 条记录在审计记录中显示已被清除，但数据库中仍有</source>
        <translation>{n} more records the audit log shows as purged are still in the database</translation>
    </message>
    <message>
        <source>只有服务支出可关联服务记录（检查、培训、演练、应急预案）</source>
        <translation>Only a service expense can be linked to a service record (inspection, training, drill, emergency plan)</translation>
    </message>
    <message>
        <source>只能更正已签发且未被替代的文书。</source>
        <translation>Only a signed document that has not been superseded can be corrected.</translation>
    </message>
    <message>
        <source>可能重复：与 {numbers} 的照片相似</source>
        <translation>Possible duplicate: looks like the photos of {numbers}</translation>
    </message>
    <message>
        <source>台账记录不存在或已作废。</source>
        <translation>The ledger entry does not exist or has been voided.</translation>
    </message>
    <message>
        <source>图片像素过多（{w}×{h}）：单张不超过 {mp} 百万像素</source>
        <translation>Image has too many pixels ({w}×{h}): at most {mp} megapixels per photo</translation>
    </message>
    <message>
        <source>培训主题不超过 200 字</source>
        <translation>The topic may have at most 200 characters</translation>
    </message>
    <message>
        <source>培训依据须为“按合同约定”或“每半年集中培训”</source>
        <translation>The basis must be “as the contract sets” or “centralized every half-year”</translation>
    </message>
    <message>
        <source>培训学时须为数字</source>
        <translation>The training hours must be a number</translation>
    </message>
    <message>
        <source>培训学时须在 0.5 到 24 小时之间</source>
        <translation>The training hours must be between 0.5 and 24</translation>
    </message>
    <message>
        <source>培训日期不能晚于今天</source>
        <translation>The training date cannot be after today</translation>
    </message>
    <message>
        <source>培训记录不存在或已删除。</source>
        <translation>The training record does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>基坑开挖</source>
        <translation>Excavation</translation>
    </message>
    <message>
        <source>备份中有无法识别的文件：{name}</source>
        <translation>Unrecognised file in the backup: {name}</translation>
    </message>
    <message>
        <source>备份中没有数据库文件</source>
        <translation>The backup holds no database file</translation>
    </message>
    <message>
        <source>备份中没有用户 {name}，或密码不正确。数据目录中还没有用户账户时，须以备份中的系统管理员账户和密码核对身份后才能恢复。未做任何改动。</source>
        <translation>The backup has no user {name}, or the password is wrong. While the data folder has no user accounts, a restore needs the account and password of a system administrator in the backup. Nothing was changed.</translation>
    </message>
    <message>
        <source>备份中的数据库未通过完整性检查（{verdict}），未做任何改动。</source>
        <translation>The database in the backup failed the integrity check ({verdict}); nothing was changed.</translation>
    </message>
    <message>
        <source>备份中的用户表无法读取（{reason}），未做任何改动。</source>
        <translation>The users table in the backup cannot be read ({reason}); nothing was changed.</translation>
    </message>
    <message>
        <source>备份中的表 {table} 无法读取（{reason}），未做任何改动。</source>
        <translation>The table {table} in the backup cannot be read ({reason}); nothing was changed.</translation>
    </message>
    <message>
        <source>备份中的表 {table} 缺少列 {columns}，无法读取，未做任何改动。</source>
        <translation>The table {table} in the backup lacks the columns {columns} and cannot be read; nothing was changed.</translation>
    </message>
    <message>
        <source>备份已完成，但未能写入审计记录：{reason}</source>
        <translation>The backup is complete, but the audit record could not be written: {reason}</translation>
    </message>
    <message>
        <source>备份文件在恢复过程中被修改：{name}，未做任何改动。</source>
        <translation>The backup file was modified during the restore: {name}; nothing was changed.</translation>
    </message>
    <message>
        <source>备份文件无法读取或已损坏，未做任何改动：{reason}</source>
        <translation>The backup file cannot be read or is damaged; nothing was changed: {reason}</translation>
    </message>
    <message>
        <source>备份文件未通过校验，未做任何改动：
{problems}</source>
        <translation>The backup file failed verification; nothing was changed:
{problems}</translation>
    </message>
    <message>
        <source>备份来自 {source} 数据库，当前配置为 {dialect}，未做任何改动。</source>
        <translation>The backup comes from a {source} database but {dialect} is configured; nothing was changed.</translation>
    </message>
    <message>
        <source>多出文件（清单中没有）：{name}</source>
        <translation>Extra file (not in the manifest): {name}</translation>
    </message>
    <message>
        <source>多出文件：{name}</source>
        <translation>Extra file: {name}</translation>
    </message>
    <message>
        <source>字体 {name} 缺少文书常用的字符：{chars}</source>
        <translation>The font {name} lacks characters documents use: {chars}</translation>
    </message>
    <message>
        <source>字体文件 {name} 不能嵌入 PDF：须为允许嵌入的 TrueType 字体（OpenType/CFF 字体如思源宋体不能使用）。原因：{error}</source>
        <translation>The font file {name} cannot be embedded in a PDF: it must be a TrueType font that allows embedding (OpenType/CFF fonts such as Source Han Serif cannot be used). Reason: {error}</translation>
    </message>
    <message>
        <source>存在未闭合一级隐患</source>
        <translation>Open level-1 hazards</translation>
    </message>
    <message>
        <source>安全教育培训</source>
        <translation>Safety training</translation>
    </message>
    <message>
        <source>密码不超过 {n} 位</source>
        <translation>The password may have at most {n} characters</translation>
    </message>
    <message>
        <source>密码过于常见或容易被猜到（如常用密码、键盘顺序、姓名或用户名加数字），请换一个更难猜的密码，例如几个无关的词加数字和符号</source>
        <translation>The password is too common or easy to guess (a common password, a keyboard pattern, a name or user name with digits); choose a harder one, e.g. a few unrelated words with digits and symbols</translation>
    </message>
    <message>
        <source>对发现的一级风险立即提出停工或局部停工意见</source>
        <translation>A level-1 risk found calls at once for a stop-work or partial stop-work opinion</translation>
    </message>
    <message>
        <source>对审计表有 {rights} 权限，可以修改或删除审计记录</source>
        <translation>holds {rights} on the audit table and can change or delete audit entries</translation>
    </message>
    <message>
        <source>尚未生成机构签名密钥，请先在“机构信息”中生成，再导出评审资料包。</source>
        <translation>The agency signing key has not been generated; generate it under “Agency details” before exporting a review package.</translation>
    </message>
    <message>
        <source>工作表“{sheet}”应在表头下填写且只填写一行（现有 {n} 行）</source>
        <translation>Sheet “{sheet}” must have exactly one row below its header (has {n})</translation>
    </message>
    <message>
        <source>工作表“{sheet}”的内容不是 UTF-8 编码（{encoding}），Excel、WPS 和 LibreOffice 保存的文件不会这样，未读取。请在 Excel 或 WPS 中打开并“另存为” .xlsx 后再导入。</source>
        <translation>Sheet “{sheet}” is not encoded in UTF-8 ({encoding}), which files saved by Excel, WPS and LibreOffice never are; it was not read. Open the file in Excel or WPS, use “Save As” .xlsx, then import again.</translation>
    </message>
    <message>
        <source>工作表“{sheet}”的表头有 {n} 列（到 {letter} 列），超过上限 {limit} 列，未读取。请删除多余的列后重新导入。</source>
        <translation>The header of sheet “{sheet}” spans {n} columns (up to column {letter}), more than the limit of {limit}; the sheet was not read. Delete the extra columns and import again.</translation>
    </message>
    <message>
        <source>工作表“{sheet}”第 {row} 行 {col} 列（{label}）</source>
        <translation>Sheet “{sheet}”, row {row}, column {col} ({label})</translation>
    </message>
    <message>
        <source>工作表“{sheet}”第 {row} 行 {col} 列（{label}）：{problem}</source>
        <translation>Sheet “{sheet}”, row {row}, column {col} ({label}): {problem}</translation>
    </message>
    <message>
        <source>工作表“{sheet}”第 {row} 行：{problem}</source>
        <translation>Sheet “{sheet}”, row {row}: {problem}</translation>
    </message>
    <message>
        <source>工作表“{sheet}”缺少列：{columns}</source>
        <translation>Sheet “{sheet}” lacks the columns: {columns}</translation>
    </message>
    <message>
        <source>工作表“{sheet}”：{problem}</source>
        <translation>Sheet “{sheet}”: {problem}</translation>
    </message>
    <message>
        <source>已有同名的{kind}</source>
        <translation>A {kind} with this name already exists</translation>
    </message>
    <message>
        <source>已载入的目录中没有 {catalogue} 的条目 {code}</source>
        <translation>No item {code} of {catalogue} among the loaded catalogues</translation>
    </message>
    <message>
        <source>应为数字</source>
        <translation>should be a number</translation>
    </message>
    <message>
        <source>应为高、中、低之一</source>
        <translation>should be high, medium or low</translation>
    </message>
    <message>
        <source>应填“是”或“否”：仅对取自发文机关的原文填“是”</source>
        <translation>Enter yes or no: yes only for a text taken from the issuing authority</translation>
    </message>
    <message>
        <source>应急预案协助记录</source>
        <translation>Emergency-plan help record</translation>
    </message>
    <message>
        <source>应急预案名称</source>
        <translation>Emergency plan name</translation>
    </message>
    <message>
        <source>应急预案编制</source>
        <translation>Emergency plan preparation</translation>
    </message>
    <message>
        <source>应急预案编制建议书</source>
        <translation>Emergency plan suggestions</translation>
    </message>
    <message>
        <source>应用连接数据库所用的角色 {role} {what}（最小权限尚未设置或已被撤销）。请以超级用户运行“riskdesk db grants”，并让各台电脑以应用角色连接数据库。</source>
        <translation>The role {role} the application connects with {what} (least privilege was never set up or has been undone). Run “riskdesk db grants” as a superuser and have every desk connect as the application role.</translation>
    </message>
    <message>
        <source>开挖深度 {depth} m（{shallow}–{deep} m）</source>
        <translation>Excavation depth {depth} m ({shallow}–{deep} m)</translation>
    </message>
    <message>
        <source>开挖深度 {depth} m，不小于 {deep} m</source>
        <translation>Excavation depth {depth} m, at least {deep} m</translation>
    </message>
    <message>
        <source>开挖深度 {depth} m，小于 {shallow} m</source>
        <translation>Excavation depth {depth} m, less than {shallow} m</translation>
    </message>
    <message>
        <source>彻底删除</source>
        <translation>deleted for good</translation>
    </message>
    <message>
        <source>待报送</source>
        <translation>Outputs not yet submitted</translation>
    </message>
    <message>
        <source>恢复前备份当前数据库（pg_dump）</source>
        <translation>Backing up the current database before the restore (pg_dump)</translation>
    </message>
    <message>
        <source>恢复失败，且未能自动放回原有数据（{reason}）。原有数据完整保存在 {aside}，请勿删除，并联系管理员手工放回。</source>
        <translation>The restore failed and the previous data could not be put back automatically ({reason}). The previous data is kept intact in {aside}: do not delete it, and ask the administrator to put it back by hand.</translation>
    </message>
    <message>
        <source>恢复失败，原有数据已放回，未做任何改动：{reason}</source>
        <translation>The restore failed; the previous data was put back and nothing was changed: {reason}</translation>
    </message>
    <message>
        <source>恢复须由系统管理员执行：请先登录；数据目录中还没有用户账户时，请以备份中的系统管理员账户核对身份。未做任何改动。</source>
        <translation>A restore must be done by a system administrator: sign in first; while the data folder has no user accounts, identify yourself with a system administrator account in the backup. Nothing was changed.</translation>
    </message>
    <message>
        <source>您指定的公钥</source>
        <translation>the key you gave</translation>
    </message>
    <message>
        <source>成果报送</source>
        <translation>Output submission</translation>
    </message>
    <message>
        <source>所选报送单位不存在或类型不符</source>
        <translation>The chosen recipient organisation does not exist or is of the wrong type</translation>
    </message>
    <message>
        <source>所选检查是 {day} 的检查，早于今天：请选择今天分配给您的检查（前一天午夜前制作、午夜后发送的草稿可记入前一天的检查）；更早检查的隐患请在办公室电脑上登记。</source>
        <translation>The inspection chosen is of {day}, before today: choose an inspection assigned to you today (a draft made before midnight and sent after it may go to the previous day&apos;s inspection); hazards of older inspections are recorded on the office computer.</translation>
    </message>
    <message>
        <source>所选检查记录已删除（在回收站中），请先从回收站恢复</source>
        <translation>The selected inspection has been deleted (it is in the recycle bin); restore it from the recycle bin first</translation>
    </message>
    <message>
        <source>找不到字体文件：{path}</source>
        <translation>Font file not found: {path}</translation>
    </message>
    <message>
        <source>技术咨询</source>
        <translation>Technical consulting</translation>
    </message>
    <message>
        <source>投诉：{content}；{state}</source>
        <translation>Complaint: {content}; {state}</translation>
    </message>
    <message>
        <source>报告时间不能晚于当前时间</source>
        <translation>The report time cannot be in the future</translation>
    </message>
    <message>
        <source>报告记录不存在。</source>
        <translation>The report does not exist.</translation>
    </message>
    <message>
        <source>报送对象须为承保机构、建设主管部门或建设单位</source>
        <translation>The recipient must be the insurer, the construction authority or the owner</translation>
    </message>
    <message>
        <source>报送时间不能早于签发日期</source>
        <translation>The submission time cannot be before the signing date</translation>
    </message>
    <message>
        <source>报送时间不能晚于当前时间</source>
        <translation>The submission time cannot be later than now</translation>
    </message>
    <message>
        <source>报送登记簿</source>
        <translation>Submission register</translation>
    </message>
    <message>
        <source>报送记录</source>
        <translation>submission records</translation>
    </message>
    <message>
        <source>拒不整改/拖延整改记录</source>
        <translation>refusal/delay record</translation>
    </message>
    <message>
        <source>拒不整改或拖延整改</source>
        <translation>Rectification refused or delayed</translation>
    </message>
    <message>
        <source>拒不整改（拖延整改）情况报告</source>
        <translation>Report on refused (delayed) rectification</translation>
    </message>
    <message>
        <source>拥有审计表，可以修改、删除、清空审计记录，也可以更改或删除审计表</source>
        <translation>owns the audit table and can change, delete and empty audit entries, and alter or drop the table</translation>
    </message>
    <message>
        <source>指纹格式无效：应为 64 位十六进制数（可分组）</source>
        <translation>Invalid fingerprint: 64 hexadecimal digits expected (grouping allowed)</translation>
    </message>
    <message>
        <source>按低风险管理</source>
        <translation>Managed as low risk</translation>
    </message>
    <message>
        <source>按合同应培训 {required} 次，已培训 {done} 次</source>
        <translation>{required} training sessions due by contract, {done} held</translation>
    </message>
    <message>
        <source>按手机记录的草稿时间</source>
        <translation>the time the phone recorded the draft</translation>
    </message>
    <message>
        <source>按照片拍摄时间</source>
        <translation>the time the photo was taken</translation>
    </message>
    <message>
        <source>按电脑收到草稿的时间</source>
        <translation>the time the computer received the draft</translation>
    </message>
    <message>
        <source>按评定规则计算</source>
        <translation>Computed by the grading rules</translation>
    </message>
    <message>
        <source>描述和部位几乎相同</source>
        <translation>nearly the same description and location</translation>
    </message>
    <message>
        <source>撤销</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <source>撤销隐患</source>
        <translation>cancel the hazard</translation>
    </message>
    <message>
        <source>操作已取消。</source>
        <translation>Cancelled.</translation>
    </message>
    <message>
        <source>操作已取消，未留下不完整的文件。</source>
        <translation>Cancelled; no incomplete file was left behind.</translation>
    </message>
    <message>
        <source>收到日期不能晚于今天</source>
        <translation>The date received cannot be after today</translation>
    </message>
    <message>
        <source>收到的评价</source>
        <translation>Evaluations received</translation>
    </message>
    <message>
        <source>数据库为只读，无法写入。请检查文件权限或数据目录设置。</source>
        <translation>The database is read-only and cannot be written. Check the file permissions or the data folder setting.</translation>
    </message>
    <message>
        <source>数据库地址无效：{reason}</source>
        <translation>Invalid database address: {reason}</translation>
    </message>
    <message>
        <source>数据库地址格式不正确，例如 postgresql://用户:密码@服务器:5432/数据库名</source>
        <translation>The database address is malformed; for example postgresql://user:password@server:5432/database</translation>
    </message>
    <message>
        <source>数据库快照失败：{reason}</source>
        <translation>The database snapshot failed: {reason}</translation>
    </message>
    <message>
        <source>数据库快照未通过检查：{verdict}。请先运行“riskdesk check”。</source>
        <translation>The database snapshot failed the check: {verdict}. Run “riskdesk check” first.</translation>
    </message>
    <message>
        <source>数据库快照检查失败：{reason}</source>
        <translation>Checking the database snapshot failed: {reason}</translation>
    </message>
    <message>
        <source>数据库服务器上没有这个数据库。请检查数据库地址中的数据库名称。</source>
        <translation>This database does not exist on the database server. Check the database name in the database address.</translation>
    </message>
    <message>
        <source>数据库服务器拒绝登录：用户名或密码不正确，或该用户无权连接这个数据库。请检查数据库地址中的用户名和密码（或密码文件）。</source>
        <translation>The database server refused the sign-in: the user name or password is wrong, or this user may not connect to this database. Check the user name and password in the database address (or the password file).</translation>
    </message>
    <message>
        <source>数据库正在被使用。请先关闭所有 RiskDesk 窗口和命令，再恢复备份。</source>
        <translation>The database is in use. Close every RiskDesk window and command before restoring a backup.</translation>
    </message>
    <message>
        <source>数据库正被其他程序占用（已锁定），请稍后重试。</source>
        <translation>The database is in use by another program (locked); try again shortly.</translation>
    </message>
    <message>
        <source>数据目录中已有数据和用户账户：请以当前数据中的系统管理员账户登录后恢复（备份中的账户只用于尚无用户账户的数据目录）。未做任何改动。</source>
        <translation>The data folder already has data and user accounts: sign in with a system administrator account of the current data to restore (accounts in the backup are only for a data folder without accounts). Nothing was changed.</translation>
    </message>
    <message>
        <source>数据目录中没有可用的数据库（{path}），但有恢复留下的数据（{names}）。不会新建空数据库：请从备份恢复，或把其中的数据库放回原处，或确认不再需要后移走这些文件夹，再重新打开程序。</source>
        <translation>There is no usable database in the data folder ({path}), but there is data left by a restore ({names}). No empty database will be created: restore from a backup, put the database from there back in place, or move those folders away once you are sure they are no longer needed, then open the program again.</translation>
    </message>
    <message>
        <source>数据目录中的签名私钥（指纹 {present}）不是机构资料中登记的签名公钥（指纹 {registered}）对应的私钥，导出的文件不能用来恢复机构的签名。请先运行“riskdesk check”查看原因（例如恢复了密钥更换之前的备份），导入登记的密钥后再导出。未做任何改动。</source>
        <translation>The signing key in the data folder (fingerprint {present}) is not the private half of the signing key registered in the agency profile (fingerprint {registered}); an exported file could not be used to restore the agency&apos;s signing. Run “riskdesk check” first to see why (for example a backup from before a key rotation was restored), import the registered key, then export it. Nothing was changed.</translation>
    </message>
    <message>
        <source>数据目录为只读或没有写入权限，数据未能保存。</source>
        <translation>The data folder is read-only or not writable; the data were not saved.</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>整改措施不超过 {max_text} 字</source>
        <translation>The measures may have at most {max_text} characters</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>整改期限不能早于发现日期</source>
        <translation>The deadline cannot be before the date found</translation>
    </message>
    <message>
        <source>整改期限未到，不能登记为拖延整改</source>
        <translation>The deadline has not passed yet; it cannot be recorded as a delay</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>document</translation>
    </message>
    <message>
        <source>文书 {number} {status}，不能再次签发或修改。</source>
        <translation>Document {number} is {status}; it cannot be signed or changed again.</translation>
    </message>
    <message>
        <source>文书 {number} 已签发，不能修改；如需更正，请生成更正版本。</source>
        <translation>Document {number} is signed and cannot be changed; to correct it, draft a correction.</translation>
    </message>
    <message>
        <source>文书 {number} 已签发，不能删除。</source>
        <translation>Document {number} is signed and cannot be deleted.</translation>
    </message>
    <message>
        <source>文书 {number} 已被更正版本替代，请报送最新版本。</source>
        <translation>Document {number} has been superseded by a correction; submit the latest revision.</translation>
    </message>
    <message>
        <source>文书不存在或已删除。</source>
        <translation>The document does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>文书签发后才能登记报送。</source>
        <translation>A submission can be recorded only once the document is signed.</translation>
    </message>
    <message>
        <source>文件 {name} 不是有效的 JSON（UTF-8 编码）。</source>
        <translation>The file {name} is not valid JSON (UTF-8).</translation>
    </message>
    <message>
        <source>文件 {name} 中没有评定规则的取值。</source>
        <translation>The file {name} holds no grading values.</translation>
    </message>
    <message>
        <source>文件 {name} 应为一个对象：{{&quot;代码&quot;: 取值, …}}</source>
        <translation>The file {name} should hold one object: {{&quot;code&quot;: value, …}}</translation>
    </message>
    <message>
        <source>文件 {name} 有 {n} 处问题，评定规则未作任何修改：
{problems}</source>
        <translation>The file {name} has {n} problem(s); the grading was not changed:
{problems}</translation>
    </message>
    <message>
        <source>文件 {name} 过大，不像评定规则文件。</source>
        <translation>The file {name} is too large to be a grading file.</translation>
    </message>
    <message>
        <source>文件不存在或已被移走</source>
        <translation>The file does not exist or has been moved</translation>
    </message>
    <message>
        <source>文件为空（0 字节）</source>
        <translation>The file is empty (0 bytes)</translation>
    </message>
    <message>
        <source>文件为空（0 字节），未保存。</source>
        <translation>The file is empty (0 bytes); not saved.</translation>
    </message>
    <message>
        <source>文件名重复出现（可能被篡改）：{name}</source>
        <translation>File name appears more than once (possibly tampered with): {name}</translation>
    </message>
    <message>
        <source>文件在保存过程中被其他程序修改，未保存，请重试。</source>
        <translation>Another program changed the file while it was being saved; not saved, please try again.</translation>
    </message>
    <message>
        <source>文件已损坏或被修改：{name}</source>
        <translation>File damaged or modified: {name}</translation>
    </message>
    <message>
        <source>文件已损坏（压缩包无法打开）。</source>
        <translation>The file is damaged (its archive cannot be opened).</translation>
    </message>
    <message>
        <source>文件被修改：{name}</source>
        <translation>File modified: {name}</translation>
    </message>
    <message>
        <source>文件过大（{size:.1f} MB），单个附件不能超过 {max_size} MB。</source>
        <translation>The file is too large ({size:.1f} MB); an attachment may not exceed {max_size} MB.</translation>
    </message>
    <message>
        <source>新建</source>
        <translation>created</translation>
    </message>
    <message>
        <source>新建或修改项目</source>
        <translation>create or edit projects</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stage</translation>
    </message>
    <message>
        <source>施工阶段“{name}”已有 {n} 次检查记录的日期（{dates}）不在修改后的阶段日期之内。请先核对这些检查记录，或按检查时的实际情况填写阶段日期；未做任何改动。</source>
        <translation>Construction stage “{name}” has {n} inspection records dated ({dates}) outside the changed stage dates. Check those inspection records first, or enter the stage dates as they were when the inspections took place; nothing was changed.</translation>
    </message>
    <message>
        <source>施工阶段“{name}”未开展风险识别和隐患排查</source>
        <translation>Stage “{name}”: no risk identification or hazard inspection</translation>
    </message>
    <message>
        <source>施工阶段不存在。</source>
        <translation>The construction stage does not exist.</translation>
    </message>
    <message>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <source>无培训记录</source>
        <translation>no training recorded</translation>
    </message>
    <message>
        <source>无服务交底会记录</source>
        <translation>No service kick-off meeting recorded</translation>
    </message>
    <message>
        <source>无法写入 {target}：{why}。未留下不完整的文件，数据未受影响。</source>
        <translation>Cannot write {target}: {why}. No incomplete file was left behind and the data is unaffected.</translation>
    </message>
    <message>
        <source>无法写入设置文件：{error}</source>
        <translation>Cannot write the settings file: {error}</translation>
    </message>
    <message>
        <source>无法创建数据目录：{reason}</source>
        <translation>The data folder could not be created: {reason}</translation>
    </message>
    <message>
        <source>无法打开 Excel 文件 {name}：{reason}</source>
        <translation>Excel file {name} could not be opened: {reason}</translation>
    </message>
    <message>
        <source>无法打开数据库文件，请检查数据目录是否存在且可写。</source>
        <translation>The database file could not be opened; check that the data folder exists and is writable.</translation>
    </message>
    <message>
        <source>无法打开资料包：{reason}</source>
        <translation>Cannot open the package: {reason}</translation>
    </message>
    <message>
        <source>无法识别的公钥文件：应为 PEM 格式的 Ed25519 公钥（以 -----BEGIN PUBLIC KEY----- 开头）。</source>
        <translation>Unrecognised public key file: a PEM Ed25519 public key is expected (starting with -----BEGIN PUBLIC KEY-----).</translation>
    </message>
    <message>
        <source>无法识别的日期“{text}”（可写作 2026-03-05 或 2026年3月5日）</source>
        <translation>Date “{text}” not recognised (write 2026-03-05, for example)</translation>
    </message>
    <message>
        <source>无法读取 Excel 文件 {name}：{reason}</source>
        <translation>Excel file {name} could not be read: {reason}</translation>
    </message>
    <message>
        <source>无法读取公钥文件：{reason}</source>
        <translation>Cannot read the public key file: {reason}</translation>
    </message>
    <message>
        <source>无法读取受信任公钥名单：{reason}</source>
        <translation>Cannot read the trust list: {reason}</translation>
    </message>
    <message>
        <source>无法读取文件</source>
        <translation>The file could not be read</translation>
    </message>
    <message>
        <source>无法读取文件 {name}：{error}</source>
        <translation>Cannot read the file {name}: {error}</translation>
    </message>
    <message>
        <source>无法读取文件（{reason}）</source>
        <translation>The file could not be read ({reason})</translation>
    </message>
    <message>
        <source>无法读取文件：{path}</source>
        <translation>The file could not be read: {path}</translation>
    </message>
    <message>
        <source>无法读取机构签名私钥：{reason}</source>
        <translation>The agency&apos;s private signing key could not be read: {reason}</translation>
    </message>
    <message>
        <source>日期不存在“{text}”</source>
        <translation>No such date: “{text}”</translation>
    </message>
    <message>
        <source>日期不能晚于今天</source>
        <translation>The date cannot be after today</translation>
    </message>
    <message>
        <source>时间不能早于隐患发现时间</source>
        <translation>The time cannot be before the hazard was found</translation>
    </message>
    <message>
        <source>时间不能晚于当前时间</source>
        <translation>The time cannot be in the future</translation>
    </message>
    <message>
        <source>是否制定安全生产管理制度，明确岗位职责和业务流程。</source>
        <translation>Are work-safety management rules in place, with duties and business processes defined?</translation>
    </message>
    <message>
        <source>是否协助指导项目实施应急救援演练，并对演练成效开展总结评估。</source>
        <translation>Does the agency help and guide projects in emergency drills and review and evaluate how well they went?</translation>
    </message>
    <message>
        <source>是否及时出具月度、季度、年度隐患排查及问题整改清单、安全生产分析和风险评估报告等事故预防技术服务成果。</source>
        <translation>Are the monthly, quarterly and annual outputs (hazard inspection and rectification lists, work-safety analyses, risk assessment reports) issued on time?</translation>
    </message>
    <message>
        <source>是否及时将服务成果上报承保机构和属地建设主管部门。</source>
        <translation>Are the outputs submitted to the insurer and the local construction authority on time?</translation>
    </message>
    <message>
        <source>是否对一、二级风险源做到 100%核查。</source>
        <translation>Are 100% of level 1 and 2 risk sources verified?</translation>
    </message>
    <message>
        <source>是否对危大工程、重点工序开展针对性风险识别和隐患排查。</source>
        <translation>Are hazardous works and key procedures given targeted risk identification and hazard inspection?</translation>
    </message>
    <message>
        <source>是否对发现的一级风险立即提出停工或局部停工意见，并当天上报承保机构和属地建设主管部门。</source>
        <translation>For each level 1 risk found, is stop-work or partial stop-work recommended at once and reported to the insurer and the local construction authority the same day?</translation>
    </message>
    <message>
        <source>是否对发现的三、四级风险现场提出整改意见，并送达相关责任单位，由监理单位负责整改落实，闭合后提交风控机构。</source>
        <translation>For each level 3 or 4 risk found, is rectification advised on site and delivered to the responsible unit, with the supervision unit seeing it through and submitting the closure to the agency?</translation>
    </message>
    <message>
        <source>是否对发现的二级风险现场提出整改意见，对可能引发安全事故的严重隐患，上报承保机构和属地建设主管部门。</source>
        <translation>For each level 2 risk found, is rectification advised on site, and are serious hazards that may cause an accident reported to the insurer and the local construction authority?</translation>
    </message>
    <message>
        <source>是否对每个项目均开展事故预防技术服务交底会和风险识别、隐患排查，并留有资料台账。</source>
        <translation>Does every project have a service kick-off meeting, risk identification and hazard inspection, with records kept?</translation>
    </message>
    <message>
        <source>是否已开展安全风险评估，形成项目风险等级清单。</source>
        <translation>Has a safety risk assessment been made, with a list of project risk levels?</translation>
    </message>
    <message>
        <source>是否按照合同约定协助编制安全生产事故应急预案或者为投保单位应急预案提供修改建议。</source>
        <translation>As the contract provides, does the agency help prepare the accident emergency plan or give the insured written advice on its plan?</translation>
    </message>
    <message>
        <source>是否按照合同约定开展宣传教育培训或每半年开展一次集中安全教育培训。</source>
        <translation>Is training held as the contract provides, or a central safety training every half year?</translation>
    </message>
    <message>
        <source>是否按规定配备专职技术负责人和项目负责人。</source>
        <translation>Are a full-time technical lead and project leads appointed as required?</translation>
    </message>
    <message>
        <source>是否落实“一项目一方案”要求，编制事故预防技术服务工作方案。</source>
        <translation>Is the “one plan per project” rule met, with an accident-prevention service work plan?</translation>
    </message>
    <message>
        <source>是否落实每季度开展不少于1次全覆盖检查。</source>
        <translation>Is at least one full-coverage inspection made every quarter?</translation>
    </message>
    <message>
        <source>是否针对高度、中度风险服务项目制定专门服务方案。</source>
        <translation>Do high- and medium-risk projects have a special service plan?</translation>
    </message>
    <message>
        <source>是超级用户，可以任意修改、删除审计记录和审计表</source>
        <translation>is a superuser and can change or delete any audit entry and the audit table</translation>
    </message>
    <message>
        <source>月份无效：{label}</source>
        <translation>Invalid month: {label}</translation>
    </message>
    <message>
        <source>月数，整数</source>
        <translation>months, a whole number</translation>
    </message>
    <message>
        <source>有在职专职技术负责人；期间内服务的每个项目均指定了在职的项目负责人。</source>
        <translation>There is an active full-time technical lead; every project served in the period has an active project lead.</translation>
    </message>
    <message>
        <source>有多个同名项目，请改用项目编号</source>
        <translation>Several projects have this name; use the project no. instead</translation>
    </message>
    <message>
        <source>有已签发工作方案的项目</source>
        <translation>Projects with a signed work plan</translation>
    </message>
    <message>
        <source>有登记记录时计算，否则人工填写</source>
        <translation>Computed when records exist, otherwise answered by hand</translation>
    </message>
    <message>
        <source>服务内容形式、成效是否得到属地建设主管部门认可。</source>
        <translation>Does the local construction authority recognise the content, form and results of the service?</translation>
    </message>
    <message>
        <source>服务内容形式、成效是否得到承保机构认可。</source>
        <translation>Does the insurer recognise the content, form and results of the service?</translation>
    </message>
    <message>
        <source>服务成果与报告</source>
        <translation>Service results and reports</translation>
    </message>
    <message>
        <source>服务支出</source>
        <translation>Service expense</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>service plan</translation>
    </message>
    <message>
        <source>服务期间出现一般事故的。</source>
        <translation>An ordinary accident happened during the service.</translation>
    </message>
    <message>
        <source>服务期间出现较大及以上事故的。</source>
        <translation>A larger or more serious accident happened during the service.</translation>
    </message>
    <message>
        <source>服务期间是否出现投诉情形。</source>
        <translation>Were there complaints during the service?</translation>
    </message>
    <message>
        <source>期间内一级隐患</source>
        <translation>Level 1 hazards in the period</translation>
    </message>
    <message>
        <source>期间内三、四级隐患</source>
        <translation>Level 3 and 4 hazards in the period</translation>
    </message>
    <message>
        <source>期间内投诉</source>
        <translation>Complaints in the period</translation>
    </message>
    <message>
        <source>期间内收到的建设主管部门评价均为认可；无评价记录时人工填写。</source>
        <translation>Every construction-authority evaluation received in the period recognises the service; answered by hand when none is recorded.</translation>
    </message>
    <message>
        <source>期间内收到的承保机构评价均为认可；无评价记录时人工填写。</source>
        <translation>Every insurer evaluation received in the period recognises the service; answered by hand when none is recorded.</translation>
    </message>
    <message>
        <source>期间内施工的危大工程</source>
        <translation>Hazardous works under way in the period</translation>
    </message>
    <message>
        <source>期间内施工的每项危大工程在准备阶段和施工阶段均有危大工程专项检查。</source>
        <translation>Every hazardous work under way in the period has a targeted inspection both in preparation and during construction.</translation>
    </message>
    <message>
        <source>期间内施工的阶段</source>
        <translation>Stages under way in the period</translation>
    </message>
    <message>
        <source>期间内无一般生产安全事故记录为符合。</source>
        <translation>Met when no ordinary accident is recorded in the period.</translation>
    </message>
    <message>
        <source>期间内无投诉记录为符合；有投诉列出并注明答复情况。</source>
        <translation>Met when no complaint is recorded in the period; complaints are listed with their replies.</translation>
    </message>
    <message>
        <source>期间内无漏判重大隐患记录为符合。</source>
        <translation>Met when no missed major hazard is recorded in the period.</translation>
    </message>
    <message>
        <source>期间内无较大及以上事故记录为符合。</source>
        <translation>Met when no larger or more serious accident is recorded in the period.</translation>
    </message>
    <message>
        <source>期间内演练</source>
        <translation>Drills in the period</translation>
    </message>
    <message>
        <source>期间内记录</source>
        <translation>Records in the period</translation>
    </message>
    <message>
        <source>期间内较严重二级隐患</source>
        <translation>Serious level 2 hazards in the period</translation>
    </message>
    <message>
        <source>期间内进行的每个施工阶段（已结束或开始超过宽限天数）至少有一次检查。</source>
        <translation>Every construction stage under way in the period (ended, or begun longer ago than the grace days) has at least one inspection.</translation>
    </message>
    <message>
        <source>期间格式无效：{label}（应为 2026-03、2026Q3、2026H1 或 2026）</source>
        <translation>Invalid period: {label} (use 2026-03, 2026Q3, 2026H1 or 2026)</translation>
    </message>
    <message>
        <source>未协助开展应急救援演练</source>
        <translation>No help given with an emergency drill</translation>
    </message>
    <message>
        <source>未协助编制应急预案或提供书面修改建议</source>
        <translation>No help with the emergency plan and no written advice on it</translation>
    </message>
    <message>
        <source>未填写{field}</source>
        <translation>{field} missing</translation>
    </message>
    <message>
        <source>未填写项目（项目编号、保单号或项目名称）</source>
        <translation>No project given (project no., policy no. or project name)</translation>
    </message>
    <message>
        <source>未建立档案台账（无归档记录）</source>
        <translation>No archive register (nothing filed)</translation>
    </message>
    <message>
        <source>未开展安全风险评估（无风险等级）</source>
        <translation>No safety risk assessment (no risk level)</translation>
    </message>
    <message>
        <source>未开展集中安全教育培训</source>
        <translation>no central safety training held</translation>
    </message>
    <message>
        <source>未开展首次风险识别和隐患排查</source>
        <translation>No first risk identification and hazard inspection</translation>
    </message>
    <message>
        <source>未找到 PostgreSQL 工具 {tool}。请安装与数据库服务器版本一致的 PostgreSQL 客户端工具，并确保它在系统 PATH 中。</source>
        <translation>PostgreSQL tool {tool} not found. Install the PostgreSQL client tools matching the database server&apos;s version and make sure they are on the system PATH.</translation>
    </message>
    <message>
        <source>未找到表头：须在前 {n} 行内含“风险源名称”和“风险等级”两列</source>
        <translation>No header row found: the first {n} rows must hold the risk source name and risk level columns</translation>
    </message>
    <message>
        <source>未指定在职的项目负责人</source>
        <translation>No active project lead appointed</translation>
    </message>
    <message>
        <source>未按期开展首次风险辨识的项目</source>
        <translation>Projects without a timely first risk identification</translation>
    </message>
    <message>
        <source>未登记安责险保单</source>
        <translation>No work-safety liability policy recorded</translation>
    </message>
    <message>
        <source>未登记风控服务合同（签订日期）</source>
        <translation>No risk-control service contract recorded (date signed)</translation>
    </message>
    <message>
        <source>未知的字段“{key}”</source>
        <translation>unknown field “{key}”</translation>
    </message>
    <message>
        <source>未知的文书类别：{kind}</source>
        <translation>Unknown document type: {kind}</translation>
    </message>
    <message>
        <source>未知的日期字段</source>
        <translation>Unknown date field</translation>
    </message>
    <message>
        <source>未知的设置项：{key}</source>
        <translation>Unknown setting: {key}</translation>
    </message>
    <message>
        <source>未知的评定规则项，应为：{codes}</source>
        <translation>Unknown grading item; expected: {codes}</translation>
    </message>
    <message>
        <source>未知的附件归属类型：{owner_type}</source>
        <translation>Unknown attachment owner type: {owner_type}</translation>
    </message>
    <message>
        <source>未知的附件用途：{role}</source>
        <translation>Unknown attachment purpose: {role}</translation>
    </message>
    <message>
        <source>未答复（应于 {date} 前）</source>
        <translation>not answered (due by {date})</translation>
    </message>
    <message>
        <source>未编制并签发事故预防技术服务工作方案（一项目一方案）</source>
        <translation>No signed accident-prevention service work plan (one plan per project)</translation>
    </message>
    <message>
        <source>未触发升级因素</source>
        <translation>No factor raises the level</translation>
    </message>
    <message>
        <source>未配备在职的专职技术负责人</source>
        <translation>No active full-time technical lead</translation>
    </message>
    <message>
        <source>未闭合隐患 {n} 项，阈值 {threshold} 项</source>
        <translation>{n} open hazards, threshold {threshold}</translation>
    </message>
    <message>
        <source>未闭合隐患较多</source>
        <translation>Many open hazards</translation>
    </message>
    <message>
        <source>本机构自己的签名密钥</source>
        <translation>this agency&apos;s own signing key</translation>
    </message>
    <message>
        <source>机构名称不超过 200 个字符</source>
        <translation>The agency&apos;s name may have at most 200 characters</translation>
    </message>
    <message>
        <source>机构名称过长（最多 100 字）</source>
        <translation>The agency name is too long (at most 100 characters)</translation>
    </message>
    <message>
        <source>机构签名私钥不是 Ed25519 密钥：{path}</source>
        <translation>The agency&apos;s private signing key is not an Ed25519 key: {path}</translation>
    </message>
    <message>
        <source>机构签名私钥文件已损坏：{path}</source>
        <translation>The agency&apos;s private signing key file is damaged: {path}</translation>
    </message>
    <message>
        <source>机构简称不超过 50 个字符</source>
        <translation>The short name may have at most 50 characters</translation>
    </message>
    <message>
        <source>查看数据</source>
        <translation>view data</translation>
    </message>
    <message>
        <source>标准目录须为 JSON 文件（.json）或 Excel 文件（.xlsx）：{name}</source>
        <translation>A catalogue must be a JSON file (.json) or an Excel file (.xlsx): {name}</translation>
    </message>
    <message>
        <source>核对情况“{text}”无效，应为：{words}</source>
        <translation>Check status “{text}” is not valid; it should be one of: {words}</translation>
    </message>
    <message>
        <source>核查风险源</source>
        <translation>risk sources verified</translation>
    </message>
    <message>
        <source>档案</source>
        <translation>archive item</translation>
    </message>
    <message>
        <source>档案“{title}”状态为“{status}”，不能修改。</source>
        <translation>Archive item “{title}” is “{status}” and cannot be changed.</translation>
    </message>
    <message>
        <source>档案保存年限不得少于竣工后 5 年</source>
        <translation>Records must be kept at least 5 years after completion</translation>
    </message>
    <message>
        <source>档案条目</source>
        <translation>archive item</translation>
    </message>
    <message>
        <source>档案条目不存在或已删除。</source>
        <translation>The archive item does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>档案目录</source>
        <translation>Archive catalogue</translation>
    </message>
    <message>
        <source>档案类别</source>
        <translation>Record type</translation>
    </message>
    <message>
        <source>档案销毁审批表</source>
        <translation>Archive destruction approval form</translation>
    </message>
    <message>
        <source>档案销毁申请</source>
        <translation>destruction request</translation>
    </message>
    <message>
        <source>档案题名不超过 200 字</source>
        <translation>The title may have at most 200 characters</translation>
    </message>
    <message>
        <source>检查情况不超过 10000 字</source>
        <translation>The findings may have at most 10000 characters</translation>
    </message>
    <message>
        <source>检查日期 {date} 早于施工阶段“{name}”的实际开始日期 {start}，请核对检查日期或所选施工阶段</source>
        <translation>The inspection date {date} is before the actual start date {start} of construction stage “{name}”; please check the inspection date or the chosen stage</translation>
    </message>
    <message>
        <source>检查日期 {date} 早于施工阶段“{name}”的计划开始日期 {start}（未登记实际开始日期）；请核对检查日期或所选施工阶段，如该阶段已提前开始，请先在项目中登记实际开始日期</source>
        <translation>The inspection date {date} is before the planned start date {start} of construction stage “{name}” (no actual start date recorded); please check the inspection date or the chosen stage. If the stage started early, first record its actual start date in the project</translation>
    </message>
    <message>
        <source>检查日期 {date} 晚于施工阶段“{name}”的实际结束日期 {end}，请核对检查日期或所选施工阶段</source>
        <translation>The inspection date {date} is after the actual end date {end} of construction stage “{name}”; please check the inspection date or the chosen stage</translation>
    </message>
    <message>
        <source>检查日期 {date} 晚于施工阶段“{name}”的计划结束日期 {end}（未登记实际日期）；请核对检查日期或所选施工阶段，如该阶段仍在施工，请先在项目中登记实际开始日期</source>
        <translation>The inspection date {date} is after the planned end date {end} of construction stage “{name}” (no actual dates recorded); please check the inspection date or the chosen stage. If the stage is still under way, first record its actual start date in the project</translation>
    </message>
    <message>
        <source>检查日期不能晚于今天</source>
        <translation>The inspection date cannot be after today</translation>
    </message>
    <message>
        <source>检查表中没有 {item} 项</source>
        <translation>The checklist has no item {item}</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>inspection record</translation>
    </message>
    <message>
        <source>检查记录不存在或已删除。</source>
        <translation>The inspection does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>模板文件名须以 .xlsx 结尾：{name}</source>
        <translation>The template&apos;s file name must end in .xlsx: {name}</translation>
    </message>
    <message>
        <source>正在保存 {name}（{n}/{total}）</source>
        <translation>Saving {name} ({n}/{total})</translation>
    </message>
    <message>
        <source>正在复制数据库快照</source>
        <translation>Copying the database snapshot</translation>
    </message>
    <message>
        <source>正在导出 {done:,} / {total:,} 条…</source>
        <translation>Exporting {done:,} / {total:,} rows…</translation>
    </message>
    <message>
        <source>正在检查数据库快照</source>
        <translation>Checking the database snapshot</translation>
    </message>
    <message>
        <source>正在生成封面及目录</source>
        <translation>Making the cover and contents</translation>
    </message>
    <message>
        <source>正在生成隐患排查及问题整改清单</source>
        <translation>Making the hazard inspection and rectification register</translation>
    </message>
    <message>
        <source>此处应为数字</source>
        <translation>A number is expected here</translation>
    </message>
    <message>
        <source>死亡 3 人以上或重伤 10 人以上属较大及以上事故</source>
        <translation>Three or more deaths or ten or more serious injuries make it a larger or more serious accident</translation>
    </message>
    <message>
        <source>每万平方米未闭合隐患项数，整数</source>
        <translation>open hazards per 10,000 m², a whole number</translation>
    </message>
    <message>
        <source>每个子项不能超过 1000 个字符</source>
        <translation>Each sub-item must not exceed 1000 characters</translation>
    </message>
    <message>
        <source>每个季度内，每个项目的一、二级风险源均在全覆盖检查中核查。</source>
        <translation>In every quarter, each project&apos;s level 1 and 2 risk sources are verified in a full-coverage inspection.</translation>
    </message>
    <message>
        <source>每个等级（1–4）的整改期限须为 0 到 365 之间的整数天</source>
        <translation>The deadline for each level (1–4) must be a whole number of days from 0 to 365</translation>
    </message>
    <message>
        <source>每个项目有协助编制或书面修改建议记录。</source>
        <translation>Every project has a record of help with its plan or written advice.</translation>
    </message>
    <message>
        <source>每个项目有已签发的服务工作方案（合同签订后按首次辨识期限起算）。</source>
        <translation>Every project has a signed service work plan (due within the first-identification period after the contract is signed).</translation>
    </message>
    <message>
        <source>每个项目有演练记录，且每次演练都有成效评估。</source>
        <translation>Every project has a drill record, and every drill has been evaluated.</translation>
    </message>
    <message>
        <source>每个项目每个季度至少一次全覆盖检查。</source>
        <translation>Every project has at least one full-coverage inspection each quarter.</translation>
    </message>
    <message>
        <source>每个项目登记服务合同和保单，预防费用台账有预算并列支已提供的服务，档案台账已建立。</source>
        <translation>Every project has its service contract and policy recorded, a prevention-fee ledger with a budget that books the services delivered, and an archive register.</translation>
    </message>
    <message>
        <source>每份成果在期限内报送范围内的每个承保机构和建设主管部门。</source>
        <translation>Every output is submitted on time to each insurer and construction authority in scope.</translation>
    </message>
    <message>
        <source>每月、季、年的三类成果文书在期限内签发。</source>
        <translation>The three kinds of output for each month, quarter and year are signed on time.</translation>
    </message>
    <message>
        <source>没有读取该文件的权限</source>
        <translation>No permission to read this file</translation>
    </message>
    <message>
        <source>法定代表人姓名不超过 50 个字符</source>
        <translation>The legal representative&apos;s name may have at most 50 characters</translation>
    </message>
    <message>
        <source>浅基坑</source>
        <translation>Shallow excavation</translation>
    </message>
    <message>
        <source>深基坑</source>
        <translation>Deep excavation</translation>
    </message>
    <message>
        <source>清单条目格式无效：{item}</source>
        <translation>Invalid manifest entry: {item}</translation>
    </message>
    <message>
        <source>演练日期不能晚于今天</source>
        <translation>The drill date cannot be after today</translation>
    </message>
    <message>
        <source>演练记录</source>
        <translation>drill record</translation>
    </message>
    <message>
        <source>演练记录不存在或已删除。</source>
        <translation>The drill record does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>状态须为 计划/施工中/完成</source>
        <translation>The status must be planned, in progress or done</translation>
    </message>
    <message>
        <source>生成文书草稿</source>
        <translation>generate document drafts</translation>
    </message>
    <message>
        <source>用户 {name} 在备份中的角色是{role}，只有系统管理员可以恢复数据。未做任何改动。</source>
        <translation>In the backup, user {name} is a {role}; only a system administrator can restore data. Nothing was changed.</translation>
    </message>
    <message>
        <source>用户不存在或已删除。</source>
        <translation>The user does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>用户名“{username}”已存在</source>
        <translation>User name “{username}” already exists</translation>
    </message>
    <message>
        <source>用户名不超过 50 个字符</source>
        <translation>The user name may have at most 50 characters</translation>
    </message>
    <message>
        <source>用户名或密码不正确。</source>
        <translation>Wrong user name or password.</translation>
    </message>
    <message>
        <source>由业务数据计算</source>
        <translation>Computed from the business data</translation>
    </message>
    <message>
        <source>由技术负责人对照制度文件人工确认。</source>
        <translation>Confirmed by hand by the technical lead against the written rules.</translation>
    </message>
    <message>
        <source>由登记的投诉、事故记录计算</source>
        <translation>Computed from the recorded complaints and accidents</translation>
    </message>
    <message>
        <source>电子</source>
        <translation>Electronic</translation>
    </message>
    <message>
        <source>电话号码格式不正确</source>
        <translation>Invalid telephone number</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>logged in</translation>
    </message>
    <message>
        <source>登录失败</source>
        <translation>login failed</translation>
    </message>
    <message>
        <source>登记事故与漏判</source>
        <translation>record accidents and missed hazards</translation>
    </message>
    <message>
        <source>登记培训</source>
        <translation>record training</translation>
    </message>
    <message>
        <source>登记对外报告</source>
        <translation>record external reports</translation>
    </message>
    <message>
        <source>登记应急预案与演练</source>
        <translation>record emergency plans and drills</translation>
    </message>
    <message>
        <source>登记或修改检查记录</source>
        <translation>record or edit inspections</translation>
    </message>
    <message>
        <source>登记投诉</source>
        <translation>record complaints</translation>
    </message>
    <message>
        <source>登记拒不整改/拖延整改</source>
        <translation>record a refusal or delay</translation>
    </message>
    <message>
        <source>登记拒不整改或拖延整改</source>
        <translation>record refusals or delays</translation>
    </message>
    <message>
        <source>登记文书报送</source>
        <translation>record document submissions</translation>
    </message>
    <message>
        <source>登记档案销毁</source>
        <translation>record archive destruction</translation>
    </message>
    <message>
        <source>登记监理提交的销项材料</source>
        <translation>record closure material submitted by the supervisor</translation>
    </message>
    <message>
        <source>登记送达</source>
        <translation>delivery recorded</translation>
    </message>
    <message>
        <source>登记通知送达</source>
        <translation>record delivery of the notice</translation>
    </message>
    <message>
        <source>登记销项申请</source>
        <translation>record the closure submission</translation>
    </message>
    <message>
        <source>登记隐患</source>
        <translation>record hazards</translation>
    </message>
    <message>
        <source>登记预防费用</source>
        <translation>record prevention fees</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>盒号</source>
        <translation>Box no.</translation>
    </message>
    <message>
        <source>目录 {catalogue} 中没有条目 {item}。</source>
        <translation>Catalogue {catalogue} has no entry {item}.</translation>
    </message>
    <message>
        <source>目录“{title}”（{code}）已载入的版本与文件 {name} 的内容不同。已载入的版本不可修改；新版本请另建文件并使用新的代码。</source>
        <translation>The loaded edition of catalogue “{title}” ({code}) differs from file {name}. A loaded edition cannot change; put a new edition in a new file with a new code.</translation>
    </message>
    <message>
        <source>目录文件 {name} 无法读取：{reason}</source>
        <translation>Catalogue file {name} could not be read: {reason}</translation>
    </message>
    <message>
        <source>目录文件 {name} 格式有误：{problems}</source>
        <translation>Catalogue file {name} is malformed: {problems}</translation>
    </message>
    <message>
        <source>目录文件夹不存在：{folder}</source>
        <translation>Catalogue folder not found: {folder}</translation>
    </message>
    <message>
        <source>目录条目不存在。</source>
        <translation>The catalogue entry does not exist.</translation>
    </message>
    <message>
        <source>目标位置没有写入权限或为只读</source>
        <translation>no write permission at the target, or it is read-only</translation>
    </message>
    <message>
        <source>竣工日期</source>
        <translation>Completion date</translation>
    </message>
    <message>
        <source>竣工日期早于开工日期</source>
        <translation>The completion date is before the start date</translation>
    </message>
    <message>
        <source>符合</source>
        <translation>Met</translation>
    </message>
    <message>
        <source>第 {n} 位联系人：{problem}</source>
        <translation>Contact {n}: {problem}</translation>
    </message>
    <message>
        <source>第 {n} 条隐患：{problem}</source>
        <translation>Hazard {n}: {problem}</translation>
    </message>
    <message>
        <source>第 {n} 项危大工程：{problem}</source>
        <translation>Hazardous work {n}: {problem}</translation>
    </message>
    <message>
        <source>第 {row} 行：{problem}</source>
        <translation>Row {row}: {problem}</translation>
    </message>
    <message>
        <source>第 {row} 行：保单号 {policy_no} 已存在</source>
        <translation>Row {row}: policy no. {policy_no} already exists</translation>
    </message>
    <message>
        <source>第 {row} 行：隐患编号 {number} 已存在</source>
        <translation>Row {row}: hazard no. {number} already exists</translation>
    </message>
    <message>
        <source>答复日期不能早于收到日期</source>
        <translation>The reply date cannot be before the date received</translation>
    </message>
    <message>
        <source>答复日期不能晚于今天</source>
        <translation>The reply date cannot be after today</translation>
    </message>
    <message>
        <source>签发</source>
        <translation>signed</translation>
    </message>
    <message>
        <source>签发文书</source>
        <translation>sign documents</translation>
    </message>
    <message>
        <source>签名公钥指纹：{fingerprint}</source>
        <translation>Signing key fingerprint: {fingerprint}</translation>
    </message>
    <message>
        <source>签名私钥已存在：{target}</source>
        <translation>A private signing key already exists: {target}</translation>
    </message>
    <message>
        <source>签名者与预期不符：本资料包的签名公钥与{name}不符（应为 {fingerprint}）。</source>
        <translation>Signer not as expected: this package&apos;s signing key does not match {name} (expected {fingerprint}).</translation>
    </message>
    <message>
        <source>签名者与预期不符：资料包自称由“{agency}”签发，但其签名公钥在受信任名单中登记为“{name}”的公钥。</source>
        <translation>Signer not as expected: the package claims to be issued by “{agency}”, but its signing key is on the trust list as the key of “{name}”.</translation>
    </message>
    <message>
        <source>签名者与预期不符：资料包自称由“{agency}”签发，但其签名公钥是本机构（“{name}”）自己的签名密钥。</source>
        <translation>Signer not as expected: the package claims to be issued by “{agency}”, but its signing key is this agency&apos;s (“{name}”) own signing key.</translation>
    </message>
    <message>
        <source>签名者与预期不符：资料包自称由“{agency}”签发，但其签名密钥是经密钥更换声明由“{name}”的公钥启用的（指纹 {fingerprint}），不是“{agency}”的密钥。</source>
        <translation>Signer not as expected: the package claims to be issued by “{agency}”, but its signing key was put into use by a key rotation statement signed with the key of “{name}” (fingerprint {fingerprint}); it is not a key of “{agency}”.</translation>
    </message>
    <message>
        <source>签名者与预期不符：资料包自称由“{agency}”签发，但启用其签名密钥的密钥更换声明写明的机构是“{name}”。</source>
        <translation>Signer not as expected: the package claims to be issued by “{agency}”, but the key rotation statement that put its signing key into use names “{name}”.</translation>
    </message>
    <message>
        <source>签名：有效</source>
        <translation>Signature: valid</translation>
    </message>
    <message>
        <source>简称不超过 50 个字符</source>
        <translation>Short name: at most 50 characters</translation>
    </message>
    <message>
        <source>管理人员数</source>
        <translation>Number of managers</translation>
    </message>
    <message>
        <source>管理用户</source>
        <translation>manage users</translation>
    </message>
    <message>
        <source>米，可带一位小数</source>
        <translation>metres, one decimal place allowed</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>类别“{text}”无效，应为：{kinds}</source>
        <translation>Kind “{text}” is not valid; it should be one of: {kinds}</translation>
    </message>
    <message>
        <source>系统中已有用户账户；其他账户请由管理员在“用户管理”中创建。</source>
        <translation>User accounts already exist; the administrator creates further accounts under “Users”.</translation>
    </message>
    <message>
        <source>纸质</source>
        <translation>Paper</translation>
    </message>
    <message>
        <source>纸质档案须填写盒号或存放位置</source>
        <translation>A paper record needs a box no. or a location</translation>
    </message>
    <message>
        <source>组织管理情况</source>
        <translation>Organisation and management</translation>
    </message>
    <message>
        <source>结论：资料包未通过核验。</source>
        <translation>Result: the package failed verification.</translation>
    </message>
    <message>
        <source>结论：资料包未通过核验：签名者不是预期的机构，可能是伪造的资料包。</source>
        <translation>Result: the package failed verification: the signer is not the expected agency; the package may be forged.</translation>
    </message>
    <message>
        <source>统一社会信用代码应为 18 位且校验位正确</source>
        <translation>The unified social credit code must have 18 characters and a correct check character</translation>
    </message>
    <message>
        <source>维护单位信息</source>
        <translation>maintain organisations</translation>
    </message>
    <message>
        <source>维护受信任的签名公钥</source>
        <translation>maintain the trusted signing keys</translation>
    </message>
    <message>
        <source>维护档案台账</source>
        <translation>maintain the archive register</translation>
    </message>
    <message>
        <source>维护风险源</source>
        <translation>maintain risk sources</translation>
    </message>
    <message>
        <source>编制服务方案</source>
        <translation>prepare service plans</translation>
    </message>
    <message>
        <source>编号 {code} 与第 {row} 行重复</source>
        <translation>Code {code} repeats row {row}</translation>
    </message>
    <message>
        <source>编号格式有误（无法识别的占位符或格式：{what}）</source>
        <translation>The numbering pattern is wrong (unknown placeholder or format: {what})</translation>
    </message>
    <message>
        <source>编号格式须包含 {{year}} 和 {{seq}}</source>
        <translation>The number format must contain {{year}} and {{seq}}</translation>
    </message>
    <message>
        <source>编号被 Excel 自动转换成了日期或时间（{text}），无法得知原来填写的编号；请将该列设为文本格式，重新填写编号后再导入</source>
        <translation>Excel turned the number typed here into a date or time ({text}), so the original number is lost; format the column as Text, re-enter the numbers and import again</translation>
    </message>
    <message>
        <source>缺少必需的列“{column}”（可在列映射中指定对应的列）</source>
        <translation>Required column “{column}” missing (it can be chosen in the column mapping)</translation>
    </message>
    <message>
        <source>缺少文件：{name}</source>
        <translation>Missing file: {name}</translation>
    </message>
    <message>
        <source>缺少用于确定项目的列（项目编号、保单号或项目名称），或在导入时指定项目</source>
        <translation>No column identifies the project (project no., policy no. or project name); or choose the project when importing</translation>
    </message>
    <message>
        <source>自查计算期限格式有误</source>
        <translation>The self-check deadlines are malformed</translation>
    </message>
    <message>
        <source>自查计算期限须为 0 到 366 之间的整数天</source>
        <translation>Self-check deadlines must be whole days from 0 to 366</translation>
    </message>
    <message>
        <source>自称签发机构：{agency}</source>
        <translation>Claimed issuing agency: {agency}</translation>
    </message>
    <message>
        <source>至 {until} 保持高风险</source>
        <translation>High risk until {until}</translation>
    </message>
    <message>
        <source>范围须为全机构、项目、承保机构或建设主管部门</source>
        <translation>The scope must be the whole agency, a project, an insurer or a construction authority</translation>
    </message>
    <message>
        <source>范围须为项目、承保机构、建设主管部门或全机构</source>
        <translation>The scope must be a project, an insurer, a construction authority or the whole agency</translation>
    </message>
    <message>
        <source>范围须为项目、承保机构或建设主管部门</source>
        <translation>The scope must be a project, an insurer or a construction authority</translation>
    </message>
    <message>
        <source>表头下没有条目</source>
        <translation>No items below the header</translation>
    </message>
    <message>
        <source>表头（第 {row} 行）之下没有数据</source>
        <translation>No data below the header (row {row})</translation>
    </message>
    <message>
        <source>要添加附件的记录不存在。</source>
        <translation>The record to attach to does not exist.</translation>
    </message>
    <message>
        <source>计划培训次数须为 1 到 50 之间的整数</source>
        <translation>The planned number of sessions must be a whole number from 1 to 50</translation>
    </message>
    <message>
        <source>计划竣工日期</source>
        <translation>Planned completion</translation>
    </message>
    <message>
        <source>计划竣工日期早于开工日期</source>
        <translation>The planned completion is before the start date</translation>
    </message>
    <message>
        <source>记录不存在。</source>
        <translation>The record does not exist.</translation>
    </message>
    <message>
        <source>设置数据库角色权限</source>
        <translation>set up database role privileges</translation>
    </message>
    <message>
        <source>设置文件无法保存：{reason}</source>
        <translation>The settings file could not be saved: {reason}</translation>
    </message>
    <message>
        <source>评价单位</source>
        <translation>Evaluator</translation>
    </message>
    <message>
        <source>评价单位须为承保机构或建设主管部门</source>
        <translation>The evaluator must be an insurer or a construction authority</translation>
    </message>
    <message>
        <source>评价等级须为 优、良、中、差 之一</source>
        <translation>The rating must be one of excellent, good, fair or poor</translation>
    </message>
    <message>
        <source>评定规则</source>
        <translation>Grading rules</translation>
    </message>
    <message>
        <source>评定规则文件须为 JSON 文件（.json）或 Excel 文件（.xlsx）：{name}</source>
        <translation>A grading file must be a JSON file (.json) or an Excel file (.xlsx): {name}</translation>
    </message>
    <message>
        <source>评定项目风险等级</source>
        <translation>grade project risk levels</translation>
    </message>
    <message>
        <source>该{label}不在回收站中。</source>
        <translation>This {label} is not in the recycle bin.</translation>
    </message>
    <message>
        <source>该{label}已在回收站中。</source>
        <translation>This {label} is already in the recycle bin.</translation>
    </message>
    <message>
        <source>该{what}已被他人修改（当前版本 {current}，您编辑的是版本 {expected}），请重新加载后再保存。</source>
        <translation>This {what} has been changed by someone else (it is now version {current}; you edited version {expected}); reload it before saving.</translation>
    </message>
    <message>
        <source>该公钥不是 Ed25519 公钥，不能用于核验评审资料包。</source>
        <translation>This public key is not an Ed25519 key and cannot verify review packages.</translation>
    </message>
    <message>
        <source>该公钥已在受信任名单中（{name}）。</source>
        <translation>This key is already on the trust list ({name}).</translation>
    </message>
    <message>
        <source>该单位已被他人修改，请重新加载后再保存。</source>
        <translation>Someone else changed this organisation; reload before saving.</translation>
    </message>
    <message>
        <source>该单元格为 Excel 错误值 {error}，请改正公式或填写内容后重新导入</source>
        <translation>This cell holds the Excel error value {error}; correct the formula or fill in the content, then import again</translation>
    </message>
    <message>
        <source>该培训已在项目“{name}”的预防费用台账中列支，不能移除该项目的参训记录；请先作废台账记录</source>
        <translation>This training is booked in the prevention-fee ledger of project “{name}”, so that project&apos;s attendance cannot be removed; void the ledger entry first</translation>
    </message>
    <message>
        <source>该字段不能在此修改</source>
        <translation>This field cannot be changed here</translation>
    </message>
    <message>
        <source>该承保机构在{period}没有承保项目</source>
        <translation>This insurer has no insured projects in {period}</translation>
    </message>
    <message>
        <source>该报告已登记或已作废，不能重复登记。</source>
        <translation>This report is already recorded or void; it cannot be recorded again.</translation>
    </message>
    <message>
        <source>该数据目录中已有业务数据；演示数据只能生成在新的或空的数据目录中，请用 --data-dir 指定另一个目录。</source>
        <translation>This data folder already holds business data; demo data can only be generated in a new or empty data folder. Use --data-dir to name another folder.</translation>
    </message>
    <message>
        <source>该数据目录已经初始化，请直接登录。</source>
        <translation>This data folder is already set up; please log in.</translation>
    </message>
    <message>
        <source>该文书没有已生成的文件。</source>
        <translation>This document has no generated file.</translation>
    </message>
    <message>
        <source>该文件不是 RiskDesk 备份文件。</source>
        <translation>This file is not a RiskDesk backup.</translation>
    </message>
    <message>
        <source>该文件设置了打开密码，或是旧版 .xls 格式（改成了 .xlsx 扩展名），无法读取。请在 Excel 或 WPS 中打开，取消密码后“另存为”不加密的 .xlsx 文件再导入</source>
        <translation>The file has a password to open, or is an old .xls workbook renamed to .xlsx, and cannot be read. Open it in Excel or WPS, remove the password and use “Save As” to save an unencrypted .xlsx file, then import that</translation>
    </message>
    <message>
        <source>该服务记录已在台账中列支，不能重复列支</source>
        <translation>This service record is already booked in the ledger and cannot be booked twice</translation>
    </message>
    <message>
        <source>该档案仍在保存期内（项目竣工后至少五年），不能彻底删除。</source>
        <translation>This archive item is still within its retention period (at least five years after completion) and cannot be deleted for good.</translation>
    </message>
    <message>
        <source>该次检查未发现隐患，无需出具整改通知书</source>
        <translation>This inspection found no hazard; no rectification notice is needed</translation>
    </message>
    <message>
        <source>该次检查的隐患涉及多个责任单位（{units}），请按隐患分别出具整改通知书</source>
        <translation>The hazards of this inspection concern several responsible units ({units}); issue a rectification notice per hazard</translation>
    </message>
    <message>
        <source>该类文书没有 Excel 格式</source>
        <translation>This type of document has no Excel format</translation>
    </message>
    <message>
        <source>该记录刚被他人修改并保存，您的修改未保存。请重新加载后再改。</source>
        <translation>Someone else has just changed and saved this record; your changes were not saved. Reload it and edit again.</translation>
    </message>
    <message>
        <source>该附件不是图片，没有缩略图。</source>
        <translation>This attachment is not an image and has no thumbnail.</translation>
    </message>
    <message>
        <source>该项目已登记同名、同类别、同部位的风险源</source>
        <translation>This project already has a risk source with the same name, category and location</translation>
    </message>
    <message>
        <source>请上传承保机构书面批复的扫描件（没有书面批复不能销毁档案）</source>
        <translation>Upload a scan of the insurer&apos;s written approval (no archive item may be destroyed without it)</translation>
    </message>
    <message>
        <source>请先上传整改后照片</source>
        <translation>Upload the after-rectification photos first</translation>
    </message>
    <message>
        <source>请先填写机构信息，再生成签名密钥。</source>
        <translation>Enter the agency&apos;s details before generating the signing key.</translation>
    </message>
    <message>
        <source>请填写作废原因</source>
        <translation>Please enter the reason for voiding</translation>
    </message>
    <message>
        <source>请填写保单号</source>
        <translation>Please enter the policy no.</translation>
    </message>
    <message>
        <source>请填写删除原因</source>
        <translation>Please enter the reason for deleting</translation>
    </message>
    <message>
        <source>请填写单位名称</source>
        <translation>Please enter the organisation&apos;s name</translation>
    </message>
    <message>
        <source>请填写危大工程名称</source>
        <translation>Please enter the hazardous work&apos;s name</translation>
    </message>
    <message>
        <source>请填写发现该重大隐患的单位（如属地建设主管部门）</source>
        <translation>Please enter who found the major hazard (for example the local construction authority)</translation>
    </message>
    <message>
        <source>请填写培训主题</source>
        <translation>Please enter the topic</translation>
    </message>
    <message>
        <source>请填写姓名</source>
        <translation>Please enter the name</translation>
    </message>
    <message>
        <source>请填写应急预案名称</source>
        <translation>Please enter the name of the emergency plan</translation>
    </message>
    <message>
        <source>请填写承保机构</source>
        <translation>Please enter the insurer</translation>
    </message>
    <message>
        <source>请填写承保机构审批人</source>
        <translation>Please enter who approved at the insurer</translation>
    </message>
    <message>
        <source>请填写承保机构批复文号</source>
        <translation>Please enter the insurer&apos;s approval reference</translation>
    </message>
    <message>
        <source>请填写承保机构驳回的意见</source>
        <translation>Please enter the insurer&apos;s reasons for refusing</translation>
    </message>
    <message>
        <source>请填写投诉内容</source>
        <translation>Please enter the complaint</translation>
    </message>
    <message>
        <source>请填写报告方式（电话、传真、邮件、系统、书面等）</source>
        <translation>Please enter how it was reported (telephone, fax, e-mail, online system, in writing …)</translation>
    </message>
    <message>
        <source>请填写报送方式（系统、邮件、书面、传真等）</source>
        <translation>Please enter the channel (system, e-mail, in writing, fax, etc.)</translation>
    </message>
    <message>
        <source>请填写撤销原因</source>
        <translation>Please enter why it is cancelled</translation>
    </message>
    <message>
        <source>请填写施工阶段名称</source>
        <translation>Please enter the stage&apos;s name</translation>
    </message>
    <message>
        <source>请填写更正原因</source>
        <translation>Please enter the reason for the correction</translation>
    </message>
    <message>
        <source>请填写机构名称</source>
        <translation>Please enter the agency&apos;s name</translation>
    </message>
    <message>
        <source>请填写档案题名</source>
        <translation>Please enter the title</translation>
    </message>
    <message>
        <source>请填写演练成效评估</source>
        <translation>Please enter the evaluation of the drill</translation>
    </message>
    <message>
        <source>请填写演练科目（如高处坠落、坍塌、火灾）</source>
        <translation>Please enter the scenario (e.g. fall from height, collapse, fire)</translation>
    </message>
    <message>
        <source>请填写用户名</source>
        <translation>Please enter a user name</translation>
    </message>
    <message>
        <source>请填写答复内容</source>
        <translation>Please enter the reply</translation>
    </message>
    <message>
        <source>请填写经过与情况</source>
        <translation>Please describe what happened</translation>
    </message>
    <message>
        <source>请填写联系人姓名和岗位</source>
        <translation>Please enter the contact&apos;s name and role</translation>
    </message>
    <message>
        <source>请填写评价结果（如 优秀、合格、第 2 名）</source>
        <translation>Please enter the result (for example excellent, pass, ranked 2nd)</translation>
    </message>
    <message>
        <source>请填写该公钥所属机构的名称</source>
        <translation>Enter the name of the agency this key belongs to</translation>
    </message>
    <message>
        <source>请填写责任单位签收人</source>
        <translation>Please enter who signed for the responsible unit</translation>
    </message>
    <message>
        <source>请填写退回原因</source>
        <translation>Please enter why it is sent back</translation>
    </message>
    <message>
        <source>请填写销毁理由</source>
        <translation>Please enter the reason for destruction</translation>
    </message>
    <message>
        <source>请填写隐患描述</source>
        <translation>Please describe the hazard</translation>
    </message>
    <message>
        <source>请填写项目“{name}”参训的管理人员或作业人员人数</source>
        <translation>Please enter how many managers or workers of project “{name}” attended</translation>
    </message>
    <message>
        <source>请填写项目名称</source>
        <translation>Please enter the project&apos;s name</translation>
    </message>
    <message>
        <source>请填写项目方确认人</source>
        <translation>Please enter who confirmed for the project</translation>
    </message>
    <message>
        <source>请填写项目编号</source>
        <translation>Please enter the project no.</translation>
    </message>
    <message>
        <source>请填写风险源名称</source>
        <translation>Please enter the risk source&apos;s name</translation>
    </message>
    <message>
        <source>请指定责任单位（项目未登记施工单位）</source>
        <translation>Please choose the responsible unit (the project has no contractor recorded)</translation>
    </message>
    <message>
        <source>请至少登记一个参训项目</source>
        <translation>Please record at least one attending project</translation>
    </message>
    <message>
        <source>请至少选择一名检查人员</source>
        <translation>Please choose at least one inspector</translation>
    </message>
    <message>
        <source>请说明依据（如制度文件名称、评价文号）</source>
        <translation>Please state the evidence (for example the rules&apos; title or the evaluation&apos;s reference)</translation>
    </message>
    <message>
        <source>请说明停用原因（如该分部分项工程已完成）</source>
        <translation>Please state why it is deactivated (for example the work item is finished)</translation>
    </message>
    <message>
        <source>请选择{what}</source>
        <translation>Please choose the {what}</translation>
    </message>
    <message>
        <source>请选择半年度（如 2026H1）</source>
        <translation>Please choose a half-year (e.g. 2026H1)</translation>
    </message>
    <message>
        <source>请选择协助编制或书面修改建议</source>
        <translation>Please choose helped draft the plan or written suggestions</translation>
    </message>
    <message>
        <source>请选择字体文件</source>
        <translation>Please choose a font file</translation>
    </message>
    <message>
        <source>请选择审批的承保机构</source>
        <translation>Please choose the approving insurer</translation>
    </message>
    <message>
        <source>请选择工程类型</source>
        <translation>Please choose the project type</translation>
    </message>
    <message>
        <source>请选择已销毁的档案</source>
        <translation>Please choose the destroyed items</translation>
    </message>
    <message>
        <source>请选择承保机构</source>
        <translation>Please choose the insurer</translation>
    </message>
    <message>
        <source>请选择拒不整改或拖延整改</source>
        <translation>Please choose refusal or delay</translation>
    </message>
    <message>
        <source>请选择有效的角色</source>
        <translation>Please choose a valid role</translation>
    </message>
    <message>
        <source>请选择服务类别</source>
        <translation>Please choose the service type</translation>
    </message>
    <message>
        <source>请选择检查类型</source>
        <translation>Please choose the inspection type</translation>
    </message>
    <message>
        <source>请选择符合、不符合或不适用</source>
        <translation>Please choose met, not met or not applicable</translation>
    </message>
    <message>
        <source>请选择类别：漏判重大隐患、一般事故或较大及以上事故</source>
        <translation>Please choose the type: missed major hazard, ordinary accident or larger accident</translation>
    </message>
    <message>
        <source>请选择要申请销毁的档案</source>
        <translation>Please choose the items to request destruction for</translation>
    </message>
    <message>
        <source>请选择项目状态</source>
        <translation>Please choose the project status</translation>
    </message>
    <message>
        <source>请选择预算、服务支出或调整</source>
        <translation>Please choose budget, service expense or adjustment</translation>
    </message>
    <message>
        <source>读取文件时出错（{detail}）</source>
        <translation>Error reading the file ({detail})</translation>
    </message>
    <message>
        <source>调整</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <source>调整金额不能为零</source>
        <translation>An adjustment cannot be zero</translation>
    </message>
    <message>
        <source>调整须说明原因</source>
        <translation>An adjustment needs a reason</translation>
    </message>
    <message>
        <source>责任人</source>
        <translation>Responsible person</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <source>账户因多次密码错误已锁定，请 {minutes} 分钟后再试或联系管理员。</source>
        <translation>The account is locked after repeated wrong passwords; try again in {minutes} minutes or ask the administrator.</translation>
    </message>
    <message>
        <source>账户锁定</source>
        <translation>account locked</translation>
    </message>
    <message>
        <source>资料包中没有可读的 manifest.json，无法核验。</source>
        <translation>The package has no readable manifest.json and cannot be verified.</translation>
    </message>
    <message>
        <source>资料包：{path}</source>
        <translation>Package: {path}</translation>
    </message>
    <message>
        <source>超危大工程施工中</source>
        <translation>Especially hazardous works in progress</translation>
    </message>
    <message>
        <source>载体须为纸质或电子</source>
        <translation>The medium must be paper or electronic</translation>
    </message>
    <message>
        <source>较严重二级隐患 {number} 未向{to}报告</source>
        <translation>Serious level 2 hazard {number} not reported to {to}</translation>
    </message>
    <message>
        <source>近期发生生产安全事故</source>
        <translation>Recent work-safety accident</translation>
    </message>
    <message>
        <source>这是一个文件夹，不是文件</source>
        <translation>This is a folder, not a file</translation>
    </message>
    <message>
        <source>这是文件夹，不是照片</source>
        <translation>This is a folder, not a photo</translation>
    </message>
    <message>
        <source>连接成功。数据库结构版本为 {revision}，切换后启动时将先升级。</source>
        <translation>Connected. The database schema is version {revision}; it will be upgraded at the first start after switching.</translation>
    </message>
    <message>
        <source>连接成功。该数据库尚未初始化，切换后首次启动时将自动创建表结构。</source>
        <translation>Connected. This database is not set up yet; its tables will be created at the first start after switching.</translation>
    </message>
    <message>
        <source>连接成功，数据库结构为最新版本。</source>
        <translation>Connected; the database schema is up to date.</translation>
    </message>
    <message>
        <source>逾期未整改隐患</source>
        <translation>Overdue hazards</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>部位不超过 200 字</source>
        <translation>The location may have at most 200 characters</translation>
    </message>
    <message>
        <source>重复：同一张照片已经添加</source>
        <translation>Duplicate: the same photo has already been added</translation>
    </message>
    <message>
        <source>重大隐患</source>
        <translation>Major hazard</translation>
    </message>
    <message>
        <source>重置密码</source>
        <translation>password reset</translation>
    </message>
    <message>
        <source>金额过大，请核对</source>
        <translation>The amount is too large; please check it</translation>
    </message>
    <message>
        <source>金额须为数字</source>
        <translation>The amount must be a number</translation>
    </message>
    <message>
        <source>金额须大于零</source>
        <translation>The amount must be greater than zero</translation>
    </message>
    <message>
        <source>针对性培训参照的月数须为 1 到 24 之间的整数</source>
        <translation>The months looked back for targeted training must be a whole number from 1 to 24</translation>
    </message>
    <message>
        <source>针对的隐患类别过多（合计不超过 300 字）</source>
        <translation>Too many targeted hazard categories (at most 300 characters in all)</translation>
    </message>
    <message>
        <source>销毁时间不能晚于当前时间</source>
        <translation>The destruction time cannot be in the future</translation>
    </message>
    <message>
        <source>销毁申请</source>
        <translation>destruction request</translation>
    </message>
    <message>
        <source>销毁申请不存在。</source>
        <translation>The destruction request does not exist.</translation>
    </message>
    <message>
        <source>销毁申请状态为“{status}”，不能登记审批。</source>
        <translation>The destruction request is “{status}”; an approval cannot be recorded.</translation>
    </message>
    <message>
        <source>销毁申请状态为“{status}”，不能登记驳回。</source>
        <translation>The destruction request is “{status}”; a refusal cannot be recorded.</translation>
    </message>
    <message>
        <source>防范措施</source>
        <translation>Preventive measures</translation>
    </message>
    <message>
        <source>附件不存在。</source>
        <translation>The attachment does not exist.</translation>
    </message>
    <message>
        <source>附件库中有 {n} 个文件</source>
        <translation>the attachment store holds {n} files</translation>
    </message>
    <message>
        <source>附件库中的文件已损坏（内容与校验值不符）：{name}，请运行“riskdesk check”检查附件库。</source>
        <translation>A file in the attachment store is damaged (its content does not match its checksum): {name}; run “riskdesk check” to check the attachment store.</translation>
    </message>
    <message>
        <source>附件库中缺少 {n} 个文件（如 {example}），请先运行“riskdesk check”检查附件库。</source>
        <translation>{n} files are missing from the attachment store (e.g. {example}); run “riskdesk check” to check the attachment store first.</translation>
    </message>
    <message>
        <source>附件库文件内容与其校验值不符（已损坏）：{name}</source>
        <translation>Attachment store file does not match its checksum (damaged): {name}</translation>
    </message>
    <message>
        <source>附件库无法写入：{reason}</source>
        <translation>The attachment store cannot be written: {reason}</translation>
    </message>
    <message>
        <source>附件文件缺失（{sha}…），请运行“riskdesk check”检查附件库。</source>
        <translation>An attachment file is missing ({sha}…); run “riskdesk check” to check the attachment store.</translation>
    </message>
    <message>
        <source>附件编号无效。</source>
        <translation>Invalid attachment id.</translation>
    </message>
    <message>
        <source>隐患</source>
        <translation>hazard</translation>
    </message>
    <message>
        <source>隐患 {numbers} 已销项，整改期限（{deadline}）已过，无需再出具整改通知书</source>
        <translation>Hazard {numbers} is already closed and its deadline ({deadline}) has passed: no rectification notice is needed</translation>
    </message>
    <message>
        <source>隐患 {number} 不是一级隐患或较严重的二级隐患，无需报告单</source>
        <translation>Hazard {number} is neither level 1 nor a serious level 2 hazard; no report is needed</translation>
    </message>
    <message>
        <source>隐患 {number} 尚未复查：复查销项或退回后再出具复查销项单</source>
        <translation>Hazard {number} is not re-inspected yet: verify and close or send it back before issuing the close-out record</translation>
    </message>
    <message>
        <source>隐患 {number} 尚未登记整改销项材料</source>
        <translation>Hazard {number} has no closure material recorded yet</translation>
    </message>
    <message>
        <source>隐患 {number} 已{status}，不能再修改。</source>
        <translation>Hazard {number} is {status} and can no longer be changed.</translation>
    </message>
    <message>
        <source>隐患 {number} 已于{closed}销项，不能再出具停工（局部停工）建议书</source>
        <translation>Hazard {number} was closed on {closed}; a stop-work (partial stop-work) suggestion can no longer be issued for it</translation>
    </message>
    <message>
        <source>隐患 {number} 已撤销，不再出具文书</source>
        <translation>Hazard {number} is cancelled; no document is issued for it</translation>
    </message>
    <message>
        <source>隐患 {number} 已销项，不能再出具停工（局部停工）建议书</source>
        <translation>Hazard {number} is closed; a stop-work (partial stop-work) suggestion can no longer be issued for it</translation>
    </message>
    <message>
        <source>隐患 {number} 当前状态为“{status}”，不能{step}。</source>
        <translation>Hazard {number} is “{status}”: cannot {step}.</translation>
    </message>
    <message>
        <source>隐患 {number} 未提出停工或局部停工建议，不能出具停工建议书</source>
        <translation>Hazard {number} has no stop-work or partial stop-work recommendation; no stop-work recommendation can be issued</translation>
    </message>
    <message>
        <source>隐患、检查或档案</source>
        <translation>hazards, inspections or archive items</translation>
    </message>
    <message>
        <source>隐患不存在或已删除。</source>
        <translation>The hazard does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>隐患排查及问题整改清单</source>
        <translation>Hazard inspection and rectification list</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Hazard description</translation>
    </message>
    <message>
        <source>隐患描述不超过 {max_text} 字</source>
        <translation>The description may have at most {max_text} characters</translation>
    </message>
    <message>
        <source>隐患整改通知书</source>
        <translation>Hazard rectification notice</translation>
    </message>
    <message>
        <source>隐患等级</source>
        <translation>Hazard level</translation>
    </message>
    <message>
        <source>隐患等级“{text}”无效，应为一至四级</source>
        <translation>Invalid hazard level “{text}”: must be level 1 to 4</translation>
    </message>
    <message>
        <source>隐患等级“{text}”无法识别（可写作 一级、1、Ⅰ级 或 重大）</source>
        <translation>Hazard level “{text}” not recognised (write 1 to 4 or I to IV, for example)</translation>
    </message>
    <message>
        <source>隐患等级越高，整改期限应越短（一级 ≤ 二级 ≤ 三级 ≤ 四级）</source>
        <translation>The more serious the hazard, the shorter its deadline (level 1 ≤ level 2 ≤ level 3 ≤ level 4)</translation>
    </message>
    <message>
        <source>隐患等级须为一至四级</source>
        <translation>The hazard level must be 1 to 4</translation>
    </message>
    <message>
        <source>隐患编号</source>
        <translation>Hazard no.</translation>
    </message>
    <message>
        <source>隐患通知下发后不能再调整等级；如判定有误，请撤销后重新登记。</source>
        <translation>The level cannot change once the notice is issued; if it was judged wrongly, cancel the hazard and record it again.</translation>
    </message>
    <message>
        <source>需核实的投诉答复期限不应短于一般投诉</source>
        <translation>The reply deadline for complaints whose facts must be checked may not be shorter than for ordinary complaints</translation>
    </message>
    <message>
        <source>页数须为正整数</source>
        <translation>The number of pages must be a positive whole number</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>project</translation>
    </message>
    <message>
        <source>项目“{name}”重复登记</source>
        <translation>Project “{name}” is recorded twice</translation>
    </message>
    <message>
        <source>项目不存在或已删除。</source>
        <translation>The project does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>项目发生死亡或较大及以上事故，{valid_until} 前须保持高风险</source>
        <translation>The project had a fatal or larger accident; it must stay high-risk until {valid_until}</translation>
    </message>
    <message>
        <source>项目各施工阶段是否均实施不少于1次风险识别和隐患排查。</source>
        <translation>Does every construction stage of the project have at least one risk identification and hazard inspection?</translation>
    </message>
    <message>
        <source>项目名称</source>
        <translation>Project name</translation>
    </message>
    <message>
        <source>项目名称不超过 200 个字符</source>
        <translation>The project name may have at most 200 characters</translation>
    </message>
    <message>
        <source>项目地址</source>
        <translation>Project address</translation>
    </message>
    <message>
        <source>项目已竣工，请填写竣工日期（档案保存期限由此计算）</source>
        <translation>The project is completed: please enter the completion date (the retention period counts from it)</translation>
    </message>
    <message>
        <source>项目未登记管理人员、作业人员人数</source>
        <translation>the project has no number of managers and workers recorded</translation>
    </message>
    <message>
        <source>项目状态</source>
        <translation>Project status</translation>
    </message>
    <message>
        <source>项目编号</source>
        <translation>Project no.</translation>
    </message>
    <message>
        <source>项目编号“{code}”已被其他项目使用</source>
        <translation>Project no. “{code}” is used by another project</translation>
    </message>
    <message>
        <source>项目编号不超过 50 个字符</source>
        <translation>The project no. may have at most 50 characters</translation>
    </message>
    <message>
        <source>项目（编号 {ids}）不存在或不由该承保机构承保，不能放入资料包</source>
        <translation>Projects (ids {ids}) do not exist or are not insured by this insurer and cannot go in the package</translation>
    </message>
    <message>
        <source>预算（预防费用拨付）</source>
        <translation>Budget (prevention fee allocated)</translation>
    </message>
    <message>
        <source>预置的区县主管部门文件无法读取：{path}（{reason}）</source>
        <translation>The preset file of district authorities cannot be read: {path} ({reason})</translation>
    </message>
    <message>
        <source>预防费用台账</source>
        <translation>Prevention fee ledger</translation>
    </message>
    <message>
        <source>风险源</source>
        <translation>risk source</translation>
    </message>
    <message>
        <source>风险源不存在或已删除。</source>
        <translation>The risk source does not exist or has been deleted.</translation>
    </message>
    <message>
        <source>风险源名称</source>
        <translation>Risk source name</translation>
    </message>
    <message>
        <source>风险等级“{raw}”无法识别（应为 1–4、一级–四级）</source>
        <translation>Risk level “{raw}” not recognised (use 1–4 or I–IV)</translation>
    </message>
    <message>
        <source>风险等级为空</source>
        <translation>The risk level is empty</translation>
    </message>
    <message>
        <source>风险等级须为一至四级</source>
        <translation>The risk level must be 1 to 4</translation>
    </message>
    <message>
        <source>风险等级须为高、中、低之一</source>
        <translation>The risk level must be high, medium or low</translation>
    </message>
    <message>
        <source>风险评估报告</source>
        <translation>Risk assessment report</translation>
    </message>
    <message>
        <source>风险识别和隐患排查。依据合同约定和服务指南要求，按照《施工现场风险源分级与防范措施一览表》和《房屋市政工程生产安全重大隐患判定标准（2022版）》开展风险分级和隐患排查工作，并形成风险源问题清单。</source>
        <translation>Risk identification and hazard inspection. As the contract and the service guide require, grade risks and inspect for hazards by the “Table of Construction-Site Risk Source Grades and Preventive Measures” and the “Criteria for Major Work-Safety Hazards in Building and Municipal Works (2022)”, and keep a list of risk sources and problems.</translation>
    </message>
    <message>
        <source>风险辨识与隐患排查</source>
        <translation>Risk identification and hazard inspection</translation>
    </message>
    <message>
        <source>高、中、低之一</source>
        <translation>one of high, medium, low</translation>
    </message>
    <message>
        <source>高、中风险项目</source>
        <translation>High- and medium-risk projects</translation>
    </message>
    <message>
        <source>高、中风险项目有已签发的专项服务方案。</source>
        <translation>High- and medium-risk projects have a signed special service plan.</translation>
    </message>
    <message>
        <source>高风险项目</source>
        <translation>High-risk projects</translation>
    </message>
    <message>
        <source>高风险项目未制定并签发专项服务方案</source>
        <translation>High-risk project without a signed special service plan</translation>
    </message>
    <message>
        <source>（发现单位：{name}）</source>
        <translation> (found by: {name})</translation>
    </message>
    <message>
        <source>（死亡 {n} 人）</source>
        <translation> ({n} dead)</translation>
    </message>
    <message>
        <source>（签发时编号）</source>
        <translation>(numbered when signed)</translation>
    </message>
    <message>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <source>{day} 不能既是放假日又是调休上班日</source>
        <translation>{day} cannot be both a holiday and a make-up working day</translation>
    </message>
    <message>
        <source>{entry} 不属于{year}年</source>
        <translation>{entry} is not in {year}</translation>
    </message>
    <message>
        <source>{year}年未填写放假日期</source>
        <translation>No holidays entered for {year}</translation>
    </message>
    <message>
        <source>{year}年没有手工录入的节假日安排</source>
        <translation>{year} has no holiday arrangement entered by hand</translation>
    </message>
    <message>
        <source>{year}年的{what}中区间无效：{entry}</source>
        <translation>Invalid range in the {what} of {year}: {entry}</translation>
    </message>
    <message>
        <source>{year}年的{what}中日期无效：{entry}（应为 2027-01-01 或 2027-02-06/2027-02-13）</source>
        <translation>Invalid date in the {what} of {year}: {entry} (expected 2027-01-01 or 2027-02-06/2027-02-13)</translation>
    </message>
    <message>
        <source>{year}年的{what}须为日期列表</source>
        <translation>The {what} of {year} must be a list of dates</translation>
    </message>
    <message>
        <source>{year}年的节假日安排须包含“放假日期”和“调休上班日期”</source>
        <translation>The holiday arrangement of {year} must consist of “holidays” and “make-up working days”</translation>
    </message>
    <message>
        <source>年份无效：{year}（应为四位数字，如 2027）</source>
        <translation>Invalid year: {year} (four digits, e.g. 2027)</translation>
    </message>
    <message>
        <source>放假日期</source>
        <translation>holidays</translation>
    </message>
    <message>
        <source>未答复（应于 {date} 前；{years}年：该年度节假日安排未载入）</source>
        <translation>Not replied (due by {date}; {years}: holiday arrangement for this year not loaded)</translation>
    </message>
    <message>
        <source>节假日安排须按年份填写</source>
        <translation>The holiday arrangement must be given per year</translation>
    </message>
    <message>
        <source>调休上班日 {day} 不是周末（调休上班日应为周六或周日）</source>
        <translation>Make-up working day {day} is not a weekend day (it must be a Saturday or Sunday)</translation>
    </message>
    <message>
        <source>调休上班日期</source>
        <translation>make-up working days</translation>
    </message>
    <message>
        <source>{problem}隐藏的工作表未读取（{sheets}）；如需导入，请指定工作表。</source>
        <translation>{problem} Hidden sheets were not read ({sheets}); to import one, name the sheet.</translation>
    </message>
    <message>
        <source>保单号不超过 60 个字符</source>
        <translation>The policy number is at most 60 characters</translation>
    </message>
    <message>
        <source>另一处刚刚导入了同一清单中的保单或项目（保单号或项目编号已存在），本次导入未写入任何数据。请重新预览后再导入：已导入的行会被跳过。</source>
        <translation>Policies or projects of the same list were just imported elsewhere (the policy number or project code already exists); this import wrote nothing. Preview again, then import: rows already imported are skipped.</translation>
    </message>
    <message>
        <source>另一处刚刚导入了同一清单中的隐患（同一项目的隐患编号已存在），本次导入未写入任何数据。请重新预览后再导入：已导入的行会被跳过。</source>
        <translation>Hazards of the same list were just imported elsewhere (the project already has these hazard numbers); this import wrote nothing. Preview again, then import: rows already imported are skipped.</translation>
    </message>
    <message>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>工作簿结构损坏（{member}：{reason}）</source>
        <translation>The workbook is damaged ({member}: {reason})</translation>
    </message>
    <message>
        <source>工作表“{sheet}”超过 {limit} 行，超过导入上限，未读取。请拆分为较小的文件，或由管理员在设置中调高上限。</source>
        <translation>Sheet “{sheet}” has more than {limit} rows, above the import limit; it was not read. Split it into smaller files, or ask an administrator to raise the limit in the settings.</translation>
    </message>
    <message>
        <source>已写入 {n} 条隐患</source>
        <translation>{n} hazards written</translation>
    </message>
    <message>
        <source>已核对 {n} 行</source>
        <translation>{n} rows checked</translation>
    </message>
    <message>
        <source>已读取 {n} 行</source>
        <translation>{n} rows read</translation>
    </message>
    <message>
        <source>数字“{text}”超过 15 位，Excel 已将其舍入，无法得知原值；请将该列设为文本后重新导出</source>
        <translation>The number “{text}” has more than 15 digits: Excel has already rounded it and the original cannot be known; set the column to text and export again</translation>
    </message>
    <message>
        <source>文件 {name} 解压后约 {size} MB，超过导入上限 {limit} MB，未读取。请拆分为较小的文件，或由管理员在设置中调高上限。</source>
        <translation>File {name} expands to about {size} MB, above the import limit of {limit} MB; it was not read. Split it into smaller files, or ask an administrator to raise the limit in the settings.</translation>
    </message>
    <message>
        <source>该单元格是公式，但文件中没有保存计算结果；请在 Excel 中打开并保存后再导出，或将公式粘贴为数值</source>
        <translation>This cell holds a formula but the file has no saved result; open and save it in Excel before exporting, or paste the formula as values</translation>
    </message>
    <message>
        <source>隐患编号不超过 {n} 个字符</source>
        <translation>The hazard number is at most {n} characters</translation>
    </message>
    <message>
        <source>数据库服务器当前为只读（例如备用服务器），无法写入。请联系数据库管理员。</source>
        <translation>The database server is read-only at present (a standby server, for example); nothing can be written. Contact the database administrator.</translation>
    </message>
    <message>
        <source>数据库文件已损坏，请从备份恢复。</source>
        <translation>The database file is damaged; restore it from a backup.</translation>
    </message>
    <message>
        <source>读写数据库文件时出错（磁盘或网络驱动器故障），数据未能保存。请检查存储设备后重试。</source>
        <translation>Reading or writing the database file failed (a disk or network drive fault); nothing was saved. Check the storage device and try again.</translation>
    </message>
    <message>
        <source>数据库正忙：与其他用户同时进行的操作冲突，数据未能保存。请重试。</source>
        <translation>The database is busy: the operation clashed with another user&apos;s at the same time and nothing was saved. Try again.</translation>
    </message>
    <message>
        <source>无法连接数据库服务器，或连接已中断。请检查网络和服务器地址后重试。</source>
        <translation>Cannot connect to the database server, or the connection was lost. Check the network and the server address, then try again.</translation>
    </message>
    <message>
        <source>上次恢复尚未处理完（数据目录中有恢复日志），请先重新打开程序，由程序自动完成或撤销上次恢复。</source>
        <translation>The last restore has not been dealt with yet (there is a restore journal in the data folder). Open the program again first; it finishes or undoes the last restore by itself.</translation>
    </message>
    <message>
        <source>口令不正确，或该文件不是导出的签名密钥。</source>
        <translation>Wrong passphrase, or the file is not an exported signing key.</translation>
    </message>
    <message>
        <source>另一个恢复正在进行，未做任何改动。</source>
        <translation>Another restore is in progress; nothing was changed.</translation>
    </message>
    <message>
        <source>密钥口令至少 {n} 个字符。</source>
        <translation>The key passphrase needs at least {n} characters.</translation>
    </message>
    <message>
        <source>恢复已完成，但未能写入审计记录：{reason}</source>
        <translation>The restore is complete, but the audit entry could not be written: {reason}</translation>
    </message>
    <message>
        <source>恢复已完成，但未能重新收回应用角色 {role} 修改审计记录的权限（{reason}）。请以超级用户运行 riskdesk db grants。</source>
        <translation>The restore is complete, but the application role {role} could not be denied changes to the audit log again ({reason}). Run riskdesk db grants as a superuser.</translation>
    </message>
    <message>
        <source>数据目录中已有签名私钥：{target}，未做任何改动。</source>
        <translation>The data folder already has a private signing key: {target}; nothing was changed.</translation>
    </message>
    <message>
        <source>数据目录正被使用，不能恢复：{holders}。请先关闭这些 RiskDesk 窗口和命令，未做任何改动。</source>
        <translation>The data folder is in use and cannot be restored: {holders}. Close these RiskDesk windows and commands first; nothing was changed.</translation>
    </message>
    <message>
        <source>无法读取密钥文件：{reason}</source>
        <translation>Cannot read the key file: {reason}</translation>
    </message>
    <message>
        <source>磁盘空间不足：数据未能保存。请清理磁盘后重试。</source>
        <translation>Not enough disk space: the data were not saved. Free some space and try again.</translation>
    </message>
    <message>
        <source>磁盘空间不足：无法写入 {target}。未留下不完整的文件。</source>
        <translation>Not enough disk space: cannot write {target}. No partial file was left.</translation>
    </message>
    <message>
        <source>磁盘空间不足：无法写入 {target}。未留下不完整的文件，数据未受影响。</source>
        <translation>Not enough disk space: cannot write {target}. No partial file was left and the data are unaffected.</translation>
    </message>
    <message>
        <source>该密钥与机构登记的公钥不一致（指纹 {found}），未导入。</source>
        <translation>This key does not match the agency&apos;s registered public key (fingerprint {found}); not imported.</translation>
    </message>
    <message>
        <source>该文件不是 Ed25519 签名密钥。</source>
        <translation>The file is not an Ed25519 signing key.</translation>
    </message>
    <message>
        <source>隐患报告单</source>
        <translation>Hazard report form</translation>
    </message>
    <message>
        <source>{kind}的编制人与审核人不能为同一人：请由其他人员生成草稿，或由另一位技术负责人审核签发。</source>
        <translation>The {kind} cannot be compiled and reviewed by the same person: have someone else generate the draft, or another technical lead review and sign it.</translation>
    </message>
    <message>
        <source>{label}不超过 {limit} 字</source>
        <translation>{label} may have at most {limit} characters</translation>
    </message>
    <message>
        <source>发文日期（{issued}）早于隐患 {number} 的发现日期（{found}），不能出具</source>
        <translation>The issue date ({issued}) is before hazard {number} was found ({found}); the document cannot be issued</translation>
    </message>
    <message>
        <source>整改回复期限（{reply_by}）早于发文日期（{issued}）：请先调整整改期限再出具整改通知书</source>
        <translation>The reply-by date ({reply_by}) is before the issue date ({issued}): change the rectification deadline before issuing the notice</translation>
    </message>
    <message>
        <source>文书中有 {count} 个字符无法用内置字体打印（将显示为空白）：{chars}。请在相关记录中改用常用字或文字说明后重新生成，再签发。</source>
        <translation>{count} characters of the document cannot be printed with the bundled font (they would show as blanks): {chars}. Replace them in the records, generate the draft again, then sign.</translation>
    </message>
    <message>
        <source>文书称已向{who}报送，但记录中没有相应的报送登记，不能签发；请先登记报送情况后重新生成。</source>
        <translation>The document says it was reported to the {who}, but no such report is logged; it cannot be signed. Log the report first and generate the draft again.</translation>
    </message>
    <message>
        <source>文号序号不编虚位（不补零），请用 {{seq}}</source>
        <translation>Document numbers are not zero-padded: use {{seq}}</translation>
    </message>
    <message>
        <source>登记的报告时间（{at}）早于隐患发现时间（{found}），请先核对报送记录</source>
        <translation>The logged report time ({at}) is before the hazard was found ({found}); check the report records first</translation>
    </message>
    <message>
        <source>{edition}版</source>
        <translation>{edition} edition</translation>
    </message>
    <message>
        <source>{edition}版（{doc_no}）</source>
        <translation>{edition} edition ({doc_no})</translation>
    </message>
    <message>
        <source>《{title}》中没有判定条款“{text}”（可写作“第五条（二）”或“05-2”）</source>
        <translation>“{title}” has no clause “{text}” (write e.g. article 5 item 2 as 05-2)</translation>
    </message>
    <message>
        <source>一级隐患须提出停工或局部停工建议</source>
        <translation>A level 1 hazard needs a stop-work or partial stop-work suggestion</translation>
    </message>
    <message>
        <source>一级隐患须签发停工建议书，并登记当日向承保机构和建设主管部门的报告后方可销项。尚缺：{missing}</source>
        <translation>A level 1 hazard is closed only once its stop-work suggestion is signed and the same-day reports to the insurer and the authority are logged. Missing: {missing}</translation>
    </message>
    <message>
        <source>三、四级隐患须由监理单位确认整改并提交销项，请填写监理确认人</source>
        <translation>Level 3/4 hazards are submitted for closure by the supervision unit once it confirms the rectification: enter who confirmed it</translation>
    </message>
    <message>
        <source>停工建议书待签发</source>
        <translation>Stop-work suggestions to sign</translation>
    </message>
    <message>
        <source>停工建议书未签发</source>
        <translation>stop-work suggestion not signed</translation>
    </message>
    <message>
        <source>判定条款</source>
        <translation>Standard clause</translation>
    </message>
    <message>
        <source>复核理由不超过 {max_text} 字</source>
        <translation>The reason may have at most {max_text} characters</translation>
    </message>
    <message>
        <source>已核对原文（{who}，{day}）</source>
        <translation>Checked against the original ({who}, {day})</translation>
    </message>
    <message>
        <source>所选条目为《{title}》{clause}：{text}。符合该情形的属于重大事故隐患，定为一级隐患，须提出停工或局部停工建议，并于当日报告承保机构和属地建设主管部门。</source>
        <translation>The chosen item is “{title}” {clause}: {text}. A hazard matching it is a major hazard: level 1, with a stop-work or partial stop-work suggestion, reported to the insurer and the local authority the same day.</translation>
    </message>
    <message>
        <source>找不到判定条款“{text}”所指的重大事故隐患判定标准版本</source>
        <translation>No edition of the major-hazard standard matches the clause “{text}”</translation>
    </message>
    <message>
        <source>未核对原文</source>
        <translation>Not checked against the original</translation>
    </message>
    <message>
        <source>未登记当日向{recipient}的报告</source>
        <translation>no same-day report to the {recipient} logged</translation>
    </message>
    <message>
        <source>核对原文</source>
        <translation>Checked against the original</translation>
    </message>
    <message>
        <source>目录“{title}”已核对原文，无需再次标记。</source>
        <translation>“{title}” is already checked against the original.</translation>
    </message>
    <message>
        <source>目录“{title}”（{code}）已载入，不能重复导入；新版本请使用新的代码。</source>
        <translation>“{title}” ({code}) is already loaded and cannot be imported again; a new edition needs a new code.</translation>
    </message>
    <message>
        <source>目录不存在。</source>
        <translation>The catalogue does not exist.</translation>
    </message>
    <message>
        <source>经复核不属于重大事故隐患</source>
        <translation>Reviewed: not a major hazard</translation>
    </message>
    <message>
        <source>该隐患已对照重大事故隐患判定标准，属于重大事故隐患，须定为一级；如经复核不属于重大事故隐患，请先登记复核意见及理由，再调整等级</source>
        <translation>The hazard was judged against the major-hazard standard: it is a major hazard and must be level 1. If a review finds it is not, record the review and its reason first, then change the level</translation>
    </message>
    <message>
        <source>请填写复核理由（为何不属于重大事故隐患）</source>
        <translation>Please give the reason (why it is not a major hazard)</translation>
    </message>
    <message>
        <source>请填写整改措施（责任、措施、时限、预案缺一不可）</source>
        <translation>Please enter the measures (responsibility, measures, deadline and contingency plan are all required)</translation>
    </message>
    <message>
        <source>请选择复核后的隐患等级</source>
        <translation>Please choose the level after the review</translation>
    </message>
    <message>
        <source>随软件提供</source>
        <translation>Shipped with the program</translation>
    </message>
    <message>
        <source>隐患 {number} 未判定为重大事故隐患，无需复核。</source>
        <translation>Hazard {number} was not judged a major hazard: nothing to review.</translation>
    </message>
    <message>
        <source>交底会日期不能晚于今天</source>
        <translation>The meeting date cannot be after today</translation>
    </message>
    <message>
        <source>交底内容说明不超过 {n} 字</source>
        <translation>Notes are at most {n} characters</translation>
    </message>
    <message>
        <source>会议地点不超过 {n} 字</source>
        <translation>The place is at most {n} characters</translation>
    </message>
    <message>
        <source>其他检查内容不超过 {n} 字</source>
        <translation>Other items are at most {n} characters</translation>
    </message>
    <message>
        <source>协助日期不能晚于今天</source>
        <translation>The date of assistance cannot be after today</translation>
    </message>
    <message>
        <source>参会人员不超过 {n} 人</source>
        <translation>At most {n} attendees</translation>
    </message>
    <message>
        <source>参会人员须包括风控机构和施工单位（投保单位）的人员</source>
        <translation>Attendees must include people from the agency and from the contractor (the insured)</translation>
    </message>
    <message>
        <source>基坑工程</source>
        <translation>Excavation works</translation>
    </message>
    <message>
        <source>塔式起重机与起重吊装</source>
        <translation>Tower cranes and lifting</translation>
    </message>
    <message>
        <source>安全生产标准化建设协助</source>
        <translation>Standardisation assistance</translation>
    </message>
    <message>
        <source>安全生产标准化建设协助记录</source>
        <translation>Standardisation assistance record</translation>
    </message>
    <message>
        <source>安全生产标准化建设协助记录不存在或已删除。</source>
        <translation>The standardisation assistance record does not exist or was deleted.</translation>
    </message>
    <message>
        <source>安全管理</source>
        <translation>Safety management</translation>
    </message>
    <message>
        <source>建议不超过 {n} 字</source>
        <translation>Advice is at most {n} characters</translation>
    </message>
    <message>
        <source>报告途径</source>
        <translation>Reporting routes</translation>
    </message>
    <message>
        <source>文明施工</source>
        <translation>Civilised construction</translation>
    </message>
    <message>
        <source>施工升降机与物料提升机</source>
        <translation>Construction hoists and material lifts</translation>
    </message>
    <message>
        <source>施工机具</source>
        <translation>Construction machinery</translation>
    </message>
    <message>
        <source>施工用电</source>
        <translation>Site electricity</translation>
    </message>
    <message>
        <source>有经双方确认的交底会记录的项目</source>
        <translation>Projects with a kick-off record confirmed by both parties</translation>
    </message>
    <message>
        <source>服务交底会</source>
        <translation>Kick-off meeting</translation>
    </message>
    <message>
        <source>服务交底会记录</source>
        <translation>Kick-off meeting record</translation>
    </message>
    <message>
        <source>服务交底会记录不存在或已删除。</source>
        <translation>The kick-off meeting record does not exist or was deleted.</translation>
    </message>
    <message>
        <source>服务交底会记录未经投保单位确认</source>
        <translation>Kick-off meeting record not confirmed by the insured</translation>
    </message>
    <message>
        <source>服务范围</source>
        <translation>Scope of service</translation>
    </message>
    <message>
        <source>未知的交底内容：{topic}</source>
        <translation>Unknown topic: {topic}</translation>
    </message>
    <message>
        <source>未知的检查项目：{item}</source>
        <translation>Unknown check item: {item}</translation>
    </message>
    <message>
        <source>未设置附件库，无法保存签到表</source>
        <translation>No attachment store is set: the sign-in sheet cannot be kept</translation>
    </message>
    <message>
        <source>模板支架</source>
        <translation>Formwork supports</translation>
    </message>
    <message>
        <source>每个项目有服务交底会记录（登记了投保单位确认人和确认日期，即经双方确认）和首次风险辨识检查记录。</source>
        <translation>Every project has a kick-off meeting record (naming who confirmed it for the insured and when, i.e. confirmed by both parties) and a first risk identification inspection.</translation>
    </message>
    <message>
        <source>登记服务交底会</source>
        <translation>Record kick-off meeting</translation>
    </message>
    <message>
        <source>确认人姓名不超过 {n} 字</source>
        <translation>The name is at most {n} characters</translation>
    </message>
    <message>
        <source>确认日期不能早于交底会日期</source>
        <translation>The confirmation date cannot be before the meeting</translation>
    </message>
    <message>
        <source>确认日期不能晚于今天</source>
        <translation>The confirmation date cannot be after today</translation>
    </message>
    <message>
        <source>第 {n} 位参会人员的单位类别无效</source>
        <translation>Attendee {n}: invalid party</translation>
    </message>
    <message>
        <source>第 {n} 位参会人员的姓名或职务过长（各不超过 {limit} 字）</source>
        <translation>Attendee {n}: name or position too long (at most {limit} characters each)</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>脚手架</source>
        <translation>Scaffolding</translation>
    </message>
    <message>
        <source>该项目已登记服务交底会（{date}），如需更正请修改原记录</source>
        <translation>This project already has a kick-off meeting ({date}); edit that record to correct it</translation>
    </message>
    <message>
        <source>请勾选交底内容（服务范围、服务方案、联系人、报告途径）或填写说明</source>
        <translation>Tick the topics explained (scope, plan, contacts, reporting routes) or write notes</translation>
    </message>
    <message>
        <source>请勾选检查项目或填写其他检查内容</source>
        <translation>Tick the items checked or describe other items</translation>
    </message>
    <message>
        <source>请填写会议地点</source>
        <translation>Enter the place of the meeting</translation>
    </message>
    <message>
        <source>请填写投保单位确认人</source>
        <translation>Enter who confirmed for the insured</translation>
    </message>
    <message>
        <source>请填写投保单位确认日期</source>
        <translation>Enter the date the insured confirmed</translation>
    </message>
    <message>
        <source>请填写提出的建议</source>
        <translation>Enter the advice given</translation>
    </message>
    <message>
        <source>请填写第 {n} 位参会人员的姓名</source>
        <translation>Enter the name of attendee {n}</translation>
    </message>
    <message>
        <source>请填写跟踪复查日期</source>
        <translation>Enter the follow-up date</translation>
    </message>
    <message>
        <source>请填写跟踪复查结果</source>
        <translation>Enter the follow-up result</translation>
    </message>
    <message>
        <source>请登记参会人员</source>
        <translation>Enter the attendees</translation>
    </message>
    <message>
        <source>跟踪复查日期不能早于协助日期</source>
        <translation>The follow-up cannot be before the assistance</translation>
    </message>
    <message>
        <source>跟踪复查日期不能晚于今天</source>
        <translation>The follow-up date cannot be after today</translation>
    </message>
    <message>
        <source>跟踪复查结果不超过 {n} 字</source>
        <translation>The follow-up result is at most {n} characters</translation>
    </message>
    <message>
        <source>风控机构</source>
        <translation>Risk-control agency</translation>
    </message>
    <message>
        <source>高处作业</source>
        <translation>Work at height</translation>
    </message>
    <message>
        <source>每个半年度参训的管理人员、作业人员人数（按人计，同一人多次参训只计一次：有身份证号的按身份证号认定，否则按姓名加电话，再否则按项目内姓名；只登记人数未附名单的场次，计为至少该场人数）不少于项目登记人数。</source>
        <translation>In each half-year the managers and workers trained (people, each counted once: by ID number when given, else by name and phone, else by name within the project; a session recorded with counts but no roster counts as at least that many people) are no fewer than the project&apos;s registered headcount.</translation>
    </message>
    <message>
        <source>每个半年度按培训计划的次数（按合同，任何培训均计入）或至少一次集中培训（每半年，以培训记录中勾选“集中培训”为准；工作台与项目页按同一口径）。</source>
        <translation>In each half-year the number of sessions in the training plan (by contract; any session counts) or at least one centralized session (half-yearly; a session counts when its record is marked centralized — the dashboard and the project page read it the same way).</translation>
    </message>
    <message>
        <source>{where}：{n} 位数字按数字保存，末尾几位可能已丢失；请将该列设为文本后重新导出</source>
        <translation>{where}: a {n}-digit number stored as a number may have lost its last digits; format the column as text and export again</translation>
    </message>
    <message>
        <source>{where}：{problem}</source>
        <translation>{where}: {problem}</translation>
    </message>
    <message>
        <source>{where}：号码不应含小数</source>
        <translation>{where}: a number here cannot have decimals</translation>
    </message>
    <message>
        <source>{where}：应为文字</source>
        <translation>{where}: text expected</translation>
    </message>
    <message>
        <source>{where}：类别“{value}”应为“管理人员”或“作业人员”</source>
        <translation>{where}: group “{value}” should be manager or worker</translation>
    </message>
    <message>
        <source>“{name}”已在本场培训的名单中，不能重复登记</source>
        <translation>“{name}” is already on this session&apos;s roster and cannot be added twice</translation>
    </message>
    <message>
        <source>与已有名单重复：{problem}</source>
        <translation>Repeats the roster: {problem}</translation>
    </message>
    <message>
        <source>单位名称不超过 100 字</source>
        <translation>The unit&apos;s name has at most 100 characters</translation>
    </message>
    <message>
        <source>参训作业人员（人，各半年度去重后合计）</source>
        <translation>Workers trained (people, each counted once per half-year, summed)</translation>
    </message>
    <message>
        <source>参训管理人员（人，各半年度去重后合计）</source>
        <translation>Managers trained (people, each counted once per half-year, summed)</translation>
    </message>
    <message>
        <source>名单中没有此人（可能已被他人移除）。</source>
        <translation>This person is not on the roster (someone else may have removed them).</translation>
    </message>
    <message>
        <source>名单第 {row} 行（{name}）与第 {first} 行是同一人，同一场培训不能重复登记</source>
        <translation>Roster line {row} ({name}) is the same person as line {first}; a session lists a person once</translation>
    </message>
    <message>
        <source>名单第 {row} 行（{name}）：{problem}</source>
        <translation>Roster line {row} ({name}): {problem}</translation>
    </message>
    <message>
        <source>培训内容不超过 2000 字</source>
        <translation>The content has at most 2000 characters</translation>
    </message>
    <message>
        <source>培训未全覆盖（按人计）：管理人员 {managers}/{manager_count} 人，作业人员 {workers}/{worker_count} 人</source>
        <translation>Training does not cover everyone (people): managers {managers}/{manager_count}, workers {workers}/{worker_count}</translation>
    </message>
    <message>
        <source>姓名不超过 50 字</source>
        <translation>The name has at most 50 characters</translation>
    </message>
    <message>
        <source>无法读取签到表（文件已损坏或不是 Excel 工作簿）</source>
        <translation>Cannot read the sign-in sheet (the file is damaged or not an Excel workbook)</translation>
    </message>
    <message>
        <source>无法读取签到表：{reason}</source>
        <translation>Cannot read the sign-in sheet: {reason}</translation>
    </message>
    <message>
        <source>电话号码只能含数字、“+”和“-”，7 到 20 位</source>
        <translation>A phone number has 7 to 20 digits, “+” or “-”</translation>
    </message>
    <message>
        <source>第 {row} 行 {col} 列（{label}）</source>
        <translation>Row {row}, column {col} ({label})</translation>
    </message>
    <message>
        <source>签到表中没有人员</source>
        <translation>The sign-in sheet lists nobody</translation>
    </message>
    <message>
        <source>签到表前 10 行中未找到“姓名”列标题</source>
        <translation>No name column heading in the sheet&apos;s first 10 rows</translation>
    </message>
    <message>
        <source>签到表超过 {n} 行，请分批导入</source>
        <translation>The sign-in sheet has more than {n} rows; import it in parts</translation>
    </message>
    <message>
        <source>签到表须为 Excel 文件（.xlsx）</source>
        <translation>The sign-in sheet must be an Excel file (.xlsx)</translation>
    </message>
    <message>
        <source>类别须为“管理人员”或“作业人员”</source>
        <translation>The group must be manager or worker</translation>
    </message>
    <message>
        <source>身份证号应为 18 位（末位可为 X）或 15 位数字</source>
        <translation>An ID number has 18 characters (the last may be X) or 15 digits</translation>
    </message>
    <message>
        <source>身份证号校验位不符，请核对</source>
        <translation>The ID number&apos;s check digit does not match; please check it</translation>
    </message>
    <message>
        <source>每个项目有风险等级评定记录；在建项目按风险等级确定的服务频次到访。</source>
        <translation>Every project has a risk assessment; projects under construction are visited at the frequency their risk level sets.</translation>
    </message>
    <message>
        <source>每半年开展一次集中安全教育培训</source>
        <translation>one centralised safety training every half year</translation>
    </message>
    <message>
        <source>每季度开展不少于1次全覆盖检查</source>
        <translation>at least one full-coverage inspection every quarter</translation>
    </message>
    <message>
        <source>每项一级隐患提出停工建议，并于发现当日向承保机构和建设主管部门报告；无逾期未闭合。</source>
        <translation>Every level 1 hazard gets a stop-work suggestion and is reported to the insurer and the authority on the day found; none overdue and open.</translation>
    </message>
    <message>
        <source>每项较严重二级隐患在期限内向承保机构和建设主管部门报告；二级隐患无逾期未闭合。</source>
        <translation>Every serious level 2 hazard is reported to the insurer and the authority in time; no level 2 hazard overdue and open.</translation>
    </message>
    <message>
        <source>{day} 发生{kind}</source>
        <translation>{kind} on {day}</translation>
    </message>
    <message>
        <source>{period}尚未核查的一、二级风险源</source>
        <translation>Level 1/2 risk sources not yet verified in {period}</translation>
    </message>
    <message>
        <source>《施工现场风险源分级与防范措施一览表》中列明的一、二级风险源，应做到 100%核查</source>
        <translation>level 1 and 2 risk sources listed in the site risk-source table are verified 100%</translation>
    </message>
    <message>
        <source>中风险</source>
        <translation>medium risk</translation>
    </message>
    <message>
        <source>事故影响月数须为 0 到 60 之间的整数</source>
        <translation>Months after an accident must be a whole number from 0 to 60</translation>
    </message>
    <message>
        <source>低风险</source>
        <translation>low risk</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>dangerous work</translation>
    </message>
    <message>
        <source>危大工程不存在或已删除。</source>
        <translation>The dangerous work item does not exist or was deleted.</translation>
    </message>
    <message>
        <source>危大工程名称不超过 200 个字符</source>
        <translation>The dangerous work name is at most 200 characters</translation>
    </message>
    <message>
        <source>参数不超过 200 个字符</source>
        <translation>The scale is at most 200 characters</translation>
    </message>
    <message>
        <source>及时开展风险评估和隐患排查</source>
        <translation>carry out risk assessment and hazard inspection in time</translation>
    </message>
    <message>
        <source>发现一级隐患 {number}（{day}）</source>
        <translation>level 1 hazard {number} found ({day})</translation>
    </message>
    <message>
        <source>合同签订后，风控机构应及时对项目开展首次风险识别和隐患排查</source>
        <translation>after the contract is signed, the agency promptly carries out the first risk identification and hazard inspection</translation>
    </message>
    <message>
        <source>合同签订日期未登记，按保单起期计</source>
        <translation>No contract date recorded: counted from the policy start</translation>
    </message>
    <message>
        <source>基坑深度界限须为 0.1 到 100 米之间的数，且低风险界限小于高风险界限</source>
        <translation>Excavation limits must be between 0.1 and 100 m, the low-risk limit below the high-risk one</translation>
    </message>
    <message>
        <source>填写了实际完成日期，请将状态改为“完成”</source>
        <translation>An actual end is given: set the status to done</translation>
    </message>
    <message>
        <source>填写实际结束前请先填写实际开始</source>
        <translation>Enter the actual start before the actual end</translation>
    </message>
    <message>
        <source>姓名不超过 50 个字符</source>
        <translation>The name is at most 50 characters</translation>
    </message>
    <message>
        <source>实际完成日期早于实际开始日期</source>
        <translation>The actual end is before the actual start</translation>
    </message>
    <message>
        <source>实际日期不能晚于今天（{today}）</source>
        <translation>An actual date cannot be after today ({today})</translation>
    </message>
    <message>
        <source>实际结束早于实际开始</source>
        <translation>The actual end is before the actual start</translation>
    </message>
    <message>
        <source>对发现的一级风险立即提出停工或局部停工意见，并当天上报承保机构和属地建设主管部门</source>
        <translation>a level 1 risk found gets a stop-work or partial stop-work opinion at once and is reported the same day to the insurer and the local construction authority</translation>
    </message>
    <message>
        <source>岗位不超过 50 个字符</source>
        <translation>The role is at most 50 characters</translation>
    </message>
    <message>
        <source>已填写实际日期的危大工程不能是“计划”状态</source>
        <translation>An item with actual dates cannot be planned</translation>
    </message>
    <message>
        <source>已完成的危大工程须填写实际完成日期</source>
        <translation>A finished item needs its actual end</translation>
    </message>
    <message>
        <source>建筑面积</source>
        <translation>Floor area</translation>
    </message>
    <message>
        <source>建筑面积过大，请核对（单位：平方米）</source>
        <translation>The floor area is too large; please check (square metres)</translation>
    </message>
    <message>
        <source>按风险等级确定的服务频次到访的项目</source>
        <translation>Projects visited at the frequency of their risk level</translation>
    </message>
    <message>
        <source>施工中或已完成的危大工程须填写实际开始日期</source>
        <translation>An item under way or finished needs its actual start</translation>
    </message>
    <message>
        <source>施工阶段名称不超过 50 个字符</source>
        <translation>The stage name is at most 50 characters</translation>
    </message>
    <message>
        <source>明确隐患整改责任、措施、时限、预案，逐项跟踪整改落实，实现闭环管理</source>
        <translation>set responsibility, measures, time limit and contingency, and follow each rectification to closure</translation>
    </message>
    <message>
        <source>未开展首次风险识别和隐患排查（合同签订日期未登记，按保单起期计）</source>
        <translation>No first risk identification and hazard inspection (no contract date recorded: counted from the policy start)</translation>
    </message>
    <message>
        <source>未按风险等级确定的频次到访（{level}，每 {days} 天；尚无检查，应于 {due} 前）</source>
        <translation>Not visited at the frequency of its risk level ({level}, every {days} days; no visit yet, due by {due})</translation>
    </message>
    <message>
        <source>未按风险等级确定的频次到访（{level}，每 {days} 天；最近一次 {last}，应于 {due} 前）</source>
        <translation>Not visited at the frequency of its risk level ({level}, every {days} days; last {last}, due by {due})</translation>
    </message>
    <message>
        <source>未按风险等级频次到访的项目</source>
        <translation>Projects overdue for a visit by risk level</translation>
    </message>
    <message>
        <source>未评定</source>
        <translation>not assessed</translation>
    </message>
    <message>
        <source>未闭合隐患数阈值须为正整数，且高风险阈值大于中风险阈值</source>
        <translation>Open-hazard thresholds must be positive whole numbers, the high one above the medium one</translation>
    </message>
    <message>
        <source>根据风险等级制定服务形式和频次等内容</source>
        <translation>the form and frequency of service are set by risk level</translation>
    </message>
    <message>
        <source>档案保存年限不超过 100 年</source>
        <translation>Retention is at most 100 years</translation>
    </message>
    <message>
        <source>状态只能按 计划→施工中→完成 依次变更（可退回上一步更正）</source>
        <translation>The status moves planned → under way → done one step at a time (one step back to correct)</translation>
    </message>
    <message>
        <source>电话不超过 50 个字符</source>
        <translation>The phone is at most 50 characters</translation>
    </message>
    <message>
        <source>纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准</source>
        <translation>paper archives are kept at least five years after completion; destruction needs the insurer&apos;s approval</translation>
    </message>
    <message>
        <source>联系人不存在或已删除。</source>
        <translation>The contact does not exist or was deleted.</translation>
    </message>
    <message>
        <source>计划结束日期早于计划开始日期</source>
        <translation>The planned end is before the planned start</translation>
    </message>
    <message>
        <source>计划结束早于计划开始</source>
        <translation>The planned end is before the planned start</translation>
    </message>
    <message>
        <source>评定规则含未知项：{names}</source>
        <translation>Unknown grading entries: {names}</translation>
    </message>
    <message>
        <source>评定规则格式有误</source>
        <translation>The grading rule is malformed</translation>
    </message>
    <message>
        <source>请填写联系人姓名</source>
        <translation>Enter the contact&apos;s name</translation>
    </message>
    <message>
        <source>请填写联系人岗位</source>
        <translation>Enter the contact&apos;s role</translation>
    </message>
    <message>
        <source>超危大工程“{name}”不再施工</source>
        <translation>extra-large dangerous work &quot;{name}&quot; no longer under way</translation>
    </message>
    <message>
        <source>超危大工程“{name}”开始施工</source>
        <translation>extra-large dangerous work &quot;{name}&quot; started</translation>
    </message>
    <message>
        <source>超危大工程“{name}”施工完成</source>
        <translation>extra-large dangerous work &quot;{name}&quot; finished</translation>
    </message>
    <message>
        <source>较严重二级隐患报告期限须为 0 到 30 之间的整数天（0 为当日）</source>
        <translation>The serious level 2 report window must be 0 to 30 days (0: same day)</translation>
    </message>
    <message>
        <source>逾期未闭合</source>
        <translation>Overdue and open</translation>
    </message>
    <message>
        <source>风控服务合同签订日期</source>
        <translation>Service contract date</translation>
    </message>
    <message>
        <source>风险因素变化待重新评估的项目</source>
        <translation>Projects to reassess after a risk factor changed</translation>
    </message>
    <message>
        <source>风险等级越高，检查间隔应越短（高 ≤ 中 ≤ 低）</source>
        <translation>The higher the risk, the shorter the interval (high ≤ medium ≤ low)</translation>
    </message>
    <message>
        <source>首次风险辨识期限须为 1 到 180 之间的整数天</source>
        <translation>The first-identification allowance must be 1 to 180 days</translation>
    </message>
    <message>
        <source>高、中、低风险项目的检查间隔须为 1 到 366 之间的整数天</source>
        <translation>Visit intervals for high, medium and low risk must be 1 to 366 days</translation>
    </message>
    <message>
        <source>高风险</source>
        <translation>high risk</translation>
    </message>
    <message>
        <source>{what}不是有效的 PNG 或 JPEG 图片，或文件已损坏。</source>
        <translation>The {what} is not a valid PNG or JPEG image, or the file is damaged.</translation>
    </message>
    <message>
        <source>{what}像素过多（{w}×{h}），请缩小后再上传。</source>
        <translation>The {what} has too many pixels ({w}×{h}); reduce it and upload again.</translation>
    </message>
    <message>
        <source>{what}太小（{w}×{h}），每边至少 {min} 像素。</source>
        <translation>The {what} is too small ({w}×{h}); each side needs at least {min} pixels.</translation>
    </message>
    <message>
        <source>{what}文件为空。</source>
        <translation>The {what} file is empty.</translation>
    </message>
    <message>
        <source>{what}文件过大（{size:.1f} MB），不能超过 {cap} MB。</source>
        <translation>The {what} file is too large ({size:.1f} MB); the limit is {cap} MB.</translation>
    </message>
    <message>
        <source>{what}须为 PNG 或 JPEG 图片。</source>
        <translation>The {what} must be a PNG or JPEG image.</translation>
    </message>
    <message>
        <source>信笺行不能超过 {n} 个字符（现为 {m} 个）。</source>
        <translation>The letterhead line may have at most {n} characters (it has {m}).</translation>
    </message>
    <message>
        <source>信笺行含有不可打印的字符。</source>
        <translation>The letterhead line contains characters that cannot be printed.</translation>
    </message>
    <message>
        <source>公钥登记函</source>
        <translation>Key letter</translation>
    </message>
    <message>
        <source>印章图片</source>
        <translation>seal image</translation>
    </message>
    <message>
        <source>印章图片须为背景透明的 PNG 图片（否则会遮住落款文字）。</source>
        <translation>The seal image must be a PNG with a transparent background (otherwise it hides the sign-off text).</translation>
    </message>
    <message>
        <source>只有管理员可以设置他人的签名图片。</source>
        <translation>Only an administrator may set another user&apos;s signature image.</translation>
    </message>
    <message>
        <source>尚未生成机构签名密钥，无法出具公钥登记函；请先在“机构信息”中生成签名密钥。</source>
        <translation>The agency has no signing key yet, so no key letter can be made; create the signing key under &quot;Agency information&quot; first.</translation>
    </message>
    <message>
        <source>所选文件夹不存在：{folder}</source>
        <translation>The chosen folder does not exist: {folder}</translation>
    </message>
    <message>
        <source>技术负责人签发</source>
        <translation>Signed by the technical lead</translation>
    </message>
    <message>
        <source>文书电子签名失败：{reason}</source>
        <translation>The document&apos;s electronic signature failed: {reason}</translation>
    </message>
    <message>
        <source>无法保存文件：{reason}</source>
        <translation>Cannot save the file: {reason}</translation>
    </message>
    <message>
        <source>无法写入文书签名证书：{reason}</source>
        <translation>Cannot write the document signing certificate: {reason}</translation>
    </message>
    <message>
        <source>未知的图片用途：{which}</source>
        <translation>Unknown image use: {which}</translation>
    </message>
    <message>
        <source>机构信息中尚未登记签名公钥，请先在“机构信息”中生成签名密钥。</source>
        <translation>No signing public key is registered for the agency; create the signing key under &quot;Agency information&quot; first.</translation>
    </message>
    <message>
        <source>机构标志</source>
        <translation>agency logo</translation>
    </message>
    <message>
        <source>用户不存在。</source>
        <translation>The user does not exist.</translation>
    </message>
    <message>
        <source>签发时机构尚未登记签名公钥。</source>
        <translation>The agency had no registered signing key when this was signed.</translation>
    </message>
    <message>
        <source>签名图片</source>
        <translation>signature image</translation>
    </message>
    <message>
        <source>该文书不是公钥登记函。</source>
        <translation>This document is not a key letter.</translation>
    </message>
    <message>
        <source>请先填写机构信息。</source>
        <translation>Fill in the agency information first.</translation>
    </message>
    <message>
        <source>“{label}”的针对性措施不能为空</source>
        <translation>The targeted measures for “{label}” cannot be empty</translation>
    </message>
    <message>
        <source>“{name}”不能为空</source>
        <translation>“{name}” cannot be empty</translation>
    </message>
    <message>
        <source>“{name}”最多 {n} 条</source>
        <translation>“{name}” holds at most {n} items</translation>
    </message>
    <message>
        <source>“{name}”每条不超过 {n} 字</source>
        <translation>Each item of “{name}” is at most {n} characters</translation>
    </message>
    <message>
        <source>专项服务方案</source>
        <translation>Special service plan</translation>
    </message>
    <message>
        <source>人员安排</source>
        <translation>Staffing</translation>
    </message>
    <message>
        <source>以下一、二级风险源未填写管控措施，不能签发：{names}。请在风险源清单或方案编辑中补充后重新生成。</source>
        <translation>These level 1/2 risk sources have no control measures, so the plan cannot be signed: {names}. Add them in the risk-source register or the plan editor, then draft again.</translation>
    </message>
    <message>
        <source>保障措施</source>
        <translation>Safeguards</translation>
    </message>
    <message>
        <source>已签发专项服务方案的项目</source>
        <translation>Projects with a signed special service plan</translation>
    </message>
    <message>
        <source>方案类别须为服务工作方案或专项服务方案</source>
        <translation>The plan must be a service work plan or a special service plan</translation>
    </message>
    <message>
        <source>服务内容</source>
        <translation>Service content</translation>
    </message>
    <message>
        <source>服务措施</source>
        <translation>Service measures</translation>
    </message>
    <message>
        <source>服务方案不存在或已删除。</source>
        <translation>The service plan does not exist or was deleted.</translation>
    </message>
    <message>
        <source>服务方案已签发或已被他人修改，请重新打开后再编辑。</source>
        <translation>The service plan was signed or changed by someone else; reopen it before editing.</translation>
    </message>
    <message>
        <source>服务方案已被他人修改，请重新打开后再编辑。</source>
        <translation>The service plan was changed by someone else; reopen it before editing.</translation>
    </message>
    <message>
        <source>服务目标</source>
        <translation>Service goals</translation>
    </message>
    <message>
        <source>服务频次</source>
        <translation>Visit frequency</translation>
    </message>
    <message>
        <source>没有名为 {key} 的方案章节</source>
        <translation>The plan has no section named {key}</translation>
    </message>
    <message>
        <source>管控措施不超过 {n} 字</source>
        <translation>Control measures are at most {n} characters</translation>
    </message>
    <message>
        <source>该风险因素不在本项目的风险等级评定中</source>
        <translation>This risk factor is not in the project’s risk assessment</translation>
    </message>
    <message>
        <source>针对性措施不超过 {n} 字</source>
        <translation>Targeted measures are at most {n} characters</translation>
    </message>
    <message>
        <source>项目当前为{level}：专项服务方案适用于高风险和中风险项目，请先评定项目风险等级。</source>
        <translation>The project is currently {level}: special service plans are for high- and medium-risk projects; assess the project’s risk level first.</translation>
    </message>
    <message>
        <source>风险源不在本项目的风险源清单中（或已停用）</source>
        <translation>The risk source is not in this project’s register (or is inactive)</translation>
    </message>
    <message>
        <source>{date} “{scenario}”演练成效评估</source>
        <translation>Evaluate the drill “{scenario}” of {date}</translation>
    </message>
    <message>
        <source>{level}项目按频次检查到期（每 {days} 天，上次 {last}）</source>
        <translation>Visit due for a {level} project (every {days} days, last {last})</translation>
    </message>
    <message>
        <source>{period}安全培训未达要求</source>
        <translation>Training for {period} short of the requirement</translation>
    </message>
    <message>
        <source>{reason}：报{to}</source>
        <translation>{reason}: report to {to}</translation>
    </message>
    <message>
        <source>{text}（{years}年未载入节假日安排，期限按周一至周五估算）</source>
        <translation>{text} (no holiday arrangement loaded for {years}: deadline counted Monday to Friday)</translation>
    </message>
    <message>
        <source>一级隐患当日报告</source>
        <translation>Same-day report of a level-1 hazard</translation>
    </message>
    <message>
        <source>保险公司</source>
        <translation>the insurer</translation>
    </message>
    <message>
        <source>半年培训</source>
        <translation>Half-year training</translation>
    </message>
    <message>
        <source>协助开展应急救援演练</source>
        <translation>Assist an emergency drill</translation>
    </message>
    <message>
        <source>已取消：已生成 {n} 份草稿，其余未生成。</source>
        <translation>Cancelled: {n} drafts made, the rest not.</translation>
    </message>
    <message>
        <source>已取消：已登记 {n} 份文书的报送，其余未登记。</source>
        <translation>Cancelled: submissions of {n} documents logged, the rest not.</translation>
    </message>
    <message>
        <source>已取消：已签发 {n} 份，其余未签发。</source>
        <translation>Cancelled: {n} signed, the rest not.</translation>
    </message>
    <message>
        <source>投诉答复</source>
        <translation>Complaint reply</translation>
    </message>
    <message>
        <source>投诉答复期限届满（{received} 收到）：{what}</source>
        <translation>Complaint reply due (received {received}): {what}</translation>
    </message>
    <message>
        <source>报告到期</source>
        <translation>Report due</translation>
    </message>
    <message>
        <source>拒不整改报告</source>
        <translation>Report of refused rectification</translation>
    </message>
    <message>
        <source>未评定风险等级</source>
        <translation>unassessed</translation>
    </message>
    <message>
        <source>档案“{title}”保存期满，待作出销毁或续存决定</source>
        <translation>Archive item “{title}” past retention: decide on destruction or keeping</translation>
    </message>
    <message>
        <source>档案期满</source>
        <translation>Archive retention</translation>
    </message>
    <message>
        <source>检查到期</source>
        <translation>Visit due</translation>
    </message>
    <message>
        <source>正在生成 {title}（{n}/{total}）</source>
        <translation>Drafting {title} ({n}/{total})</translation>
    </message>
    <message>
        <source>正在登记报送（{n}/{total}）</source>
        <translation>Logging submissions ({n}/{total})</translation>
    </message>
    <message>
        <source>正在签发（{n}/{total}）</source>
        <translation>Signing ({n}/{total})</translation>
    </message>
    <message>
        <source>较严重二级隐患报告</source>
        <translation>Report of a serious level-2 hazard</translation>
    </message>
    <message>
        <source>逾期未整改报告</source>
        <translation>Report of overdue rectification</translation>
    </message>
    <message>
        <source>隐患 {number} 整改期限届满：{what}</source>
        <translation>Hazard {number} rectification deadline: {what}</translation>
    </message>
    <message>
        <source>隐患报告</source>
        <translation>Hazard report</translation>
    </message>
    <message>
        <source>首次风险辨识检查到期</source>
        <translation>First risk identification due</translation>
    </message>
    <message>
        <source>Word 副本的文件名须以 .docx 结尾</source>
        <translation>The Word copy&apos;s file name must end in .docx</translation>
    </message>
    <message>
        <source>导出 Word 副本（{status}）</source>
        <translation>Word copy exported ({status})</translation>
    </message>
    <message>
        <source>不是照片：仅支持 JPEG、PNG、HEIC 图片</source>
        <translation>Not a photo: only JPEG, PNG and HEIC pictures are accepted</translation>
    </message>
    <message>
        <source>分组间隔不能为负数</source>
        <translation>The group gap cannot be negative</translation>
    </message>
    <message>
        <source>已取消读取照片，未导入任何照片。</source>
        <translation>Reading the photos was cancelled; no photo was imported.</translation>
    </message>
    <message>
        <source>文件夹不存在：{folder}</source>
        <translation>The folder does not exist: {folder}</translation>
    </message>
    <message>
        <source>文件超过 {mb} MB</source>
        <translation>The file is larger than {mb} MB</translation>
    </message>
    <message>
        <source>无法读取文件夹（{reason}）</source>
        <translation>The folder cannot be read ({reason})</translation>
    </message>
    <message>
        <source>检查记录不存在。</source>
        <translation>The inspection record does not exist.</translation>
    </message>
    <message>
        <source>正在读取 {name}（{n}/{total}）</source>
        <translation>Reading {name} ({n}/{total})</translation>
    </message>
    <message>
        <source>要添加照片的隐患不存在。</source>
        <translation>The hazard to add the photos to does not exist.</translation>
    </message>
    <message>
        <source>隐患 {number} 不属于本次检查的项目</source>
        <translation>Hazard {number} does not belong to this inspection&apos;s project</translation>
    </message>
    <message>
        <source>{name}：{problem}</source>
        <translation>{name}: {problem}</translation>
    </message>
    <message>
        <source>图片像素过多</source>
        <translation>The picture has too many pixels</translation>
    </message>
    <message>
        <source>对照重大事故隐患判定标准的隐患须为一级</source>
        <translation>A hazard judged against the major-hazard standard must be level 1</translation>
    </message>
    <message>
        <source>已撤销</source>
        <translation>Revoked</translation>
    </message>
    <message>
        <source>已过期</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>待配对</source>
        <translation>Waiting to pair</translation>
    </message>
    <message>
        <source>有效</source>
        <translation>Valid</translation>
    </message>
    <message>
        <source>未配对：请扫描电脑上的二维码。</source>
        <translation>Not paired: scan the QR code on the computer.</translation>
    </message>
    <message>
        <source>此设备的配对已被撤销，请重新扫码配对。</source>
        <translation>This device&apos;s pairing was revoked; scan a new code to pair again.</translation>
    </message>
    <message>
        <source>此设备的配对已过期，请重新扫码配对。</source>
        <translation>This device&apos;s pairing has expired; scan a new code to pair again.</translation>
    </message>
    <message>
        <source>每条草稿最多 {n} 张照片</source>
        <translation>At most {n} photos per draft</translation>
    </message>
    <message>
        <source>照片为空（0 字节）</source>
        <translation>The photo is empty (0 bytes)</translation>
    </message>
    <message>
        <source>照片过大：单张不超过 {mb} MB</source>
        <translation>Photo too large: at most {mb} MB each</translation>
    </message>
    <message>
        <source>草稿不存在。</source>
        <translation>The draft does not exist.</translation>
    </message>
    <message>
        <source>草稿已处理（{status}）。</source>
        <translation>The draft was already handled ({status}).</translation>
    </message>
    <message>
        <source>草稿已被他人处理，请刷新后再试。</source>
        <translation>Someone else handled the draft; refresh and try again.</translation>
    </message>
    <message>
        <source>草稿照片 {name} 已丢失，无法入台账。</source>
        <translation>The draft&apos;s photo {name} is missing; it cannot enter the register.</translation>
    </message>
    <message>
        <source>草稿编号无效</source>
        <translation>Invalid draft id</translation>
    </message>
    <message>
        <source>设备不存在。</source>
        <translation>The device does not exist.</translation>
    </message>
    <message>
        <source>设备未配对或凭据无效，请重新扫码配对。</source>
        <translation>Device not paired or its credential is invalid; scan a new code to pair.</translation>
    </message>
    <message>
        <source>请以本人账号登录后再配对手机</source>
        <translation>Sign in with your own account to pair a phone</translation>
    </message>
    <message>
        <source>请选择今天分配给您的检查</source>
        <translation>Choose an inspection assigned to you today</translation>
    </message>
    <message>
        <source>配对的账号已停用。</source>
        <translation>The paired account is disabled.</translation>
    </message>
    <message>
        <source>配对码已过期，请在电脑上重新生成二维码。</source>
        <translation>The pairing code has expired; make a new QR code on the computer.</translation>
    </message>
    <message>
        <source>配对码无效或已使用，请在电脑上重新生成二维码。</source>
        <translation>The pairing code is invalid or already used; make a new QR code on the computer.</translation>
    </message>
    <message>
        <source>隐患或现场采集草稿</source>
        <translation>hazards or site-capture drafts</translation>
    </message>
    <message>
        <source>隐患描述不超过 {n} 字</source>
        <translation>The description may have at most {n} characters</translation>
    </message>
    <message>
        <source>“{label}”不能为空；要用默认用语请点“恢复默认”</source>
        <translation>“{label}” cannot be empty; to use the default wording, click “Restore default”</translation>
    </message>
    <message>
        <source>“{label}”不能使用占位符（{names}）：此段用语不含记录中的事实</source>
        <translation>“{label}” cannot use placeholders ({names}): this wording contains no facts from the records</translation>
    </message>
    <message>
        <source>“{label}”不超过 {limit} 字（现为 {count} 字）</source>
        <translation>“{label}” may have at most {limit} characters (now {count})</translation>
    </message>
    <message>
        <source>“{label}”中有未知的占位符 {names}；可用的占位符：{allowed}</source>
        <translation>“{label}” has unknown placeholders {names}; available placeholders: {allowed}</translation>
    </message>
    <message>
        <source>“{label}”中的花括号不成对：占位符须写成 {example} 的形式，正文中不要单独使用花括号</source>
        <translation>“{label}” has unmatched braces: write placeholders as {example} and use no other braces in the text</translation>
    </message>
    <message>
        <source>文书用语格式有误</source>
        <translation>The document wording is malformed</translation>
    </message>
    <message>
        <source>未知的文书用语：{slot}</source>
        <translation>Unknown document wording: {slot}</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>账户与本机</source>
        <translation>Account and computer</translation>
    </message>
    <message>
        <source>回收站</source>
        <translation>Recycle bin</translation>
    </message>
    <message>
        <source>数据备份与恢复</source>
        <translation>Backup and restore</translation>
    </message>
    <message>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>受信任的签名公钥</source>
        <translation>Trusted signing keys</translation>
    </message>
    <message>
        <source>主管部门</source>
        <translation>Authorities</translation>
    </message>
    <message>
        <source>当前用户</source>
        <translation>Current user</translation>
    </message>
    <message>
        <source>修改密码…</source>
        <translation>Change password…</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>本机</source>
        <translation>This computer</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>数据目录</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>附件库</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>日志文件</source>
        <translation>Log file</translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <source> 分钟</source>
        <translation> min</translation>
    </message>
    <message>
        <source>不自动锁定</source>
        <translation>Never</translation>
    </message>
    <message>
        <source>无键盘鼠标操作达到该时间后锁定窗口，须输入密码继续</source>
        <translation>Lock the window after this long without keyboard or mouse input; the password opens it again</translation>
    </message>
    <message>
        <source>无操作自动锁定</source>
        <translation>Lock when idle</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>密码已修改，下次登录请使用新密码。</source>
        <translation>Your password was changed; use the new one next time you sign in.</translation>
    </message>
    <message>
        <source>无法写入设置文件：{error}</source>
        <translation>Cannot write the settings file: {error}</translation>
    </message>
    <message>
        <source>设置未保存</source>
        <translation>Settings not saved</translation>
    </message>
    <message>
        <source>界面语言将在重新启动程序后生效。</source>
        <translation>The interface language changes when the program is restarted.</translation>
    </message>
    <message>
        <source>节假日安排</source>
        <translation>Holidays</translation>
    </message>
    <message>
        <source>“今天”“当日”和季度、半年的起止按此时区计算；中国大陆为 Asia/Shanghai。</source>
        <translation>“Today”, “the same day” and the edges of quarters and half-years are computed in this time zone; Asia/Shanghai for mainland China.</translation>
    </message>
    <message>
        <source>机构时区</source>
        <translation>Agency time zone</translation>
    </message>
    <message>
        <source>标准目录</source>
        <translation>Standards</translation>
    </message>
    <message>
        <source>导出评审资料包</source>
        <translation>Review package</translation>
    </message>
    <message>
        <source>机构规则</source>
        <translation>Agency rules</translation>
    </message>
    <message>
        <source>信笺与印章</source>
        <translation>Letterhead and seal</translation>
    </message>
    <message>
        <source>文书用语</source>
        <translation>Document wording</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>数据库：{where}</source>
        <translation>Database: {where}</translation>
    </message>
    <message>
        <source>当前用户：{name}（{role}）</source>
        <translation>Signed in: {name} ({role})</translation>
    </message>
</context>
<context>
    <name>TrainingDialogs</name>
    <message>
        <source>优</source>
        <translation>Excellent</translation>
    </message>
    <message>
        <source>良</source>
        <translation>Good</translation>
    </message>
    <message>
        <source>中</source>
        <translation>Fair</translation>
    </message>
    <message>
        <source>差</source>
        <translation>Poor</translation>
    </message>
    <message>
        <source>按合同约定</source>
        <translation>As the contract sets</translation>
    </message>
    <message>
        <source>每半年集中培训</source>
        <translation>Centralized every half-year</translation>
    </message>
    <message>
        <source>协助编制应急预案</source>
        <translation>Helped draft the plan</translation>
    </message>
    <message>
        <source>书面修改建议</source>
        <translation>Written suggestions</translation>
    </message>
    <message>
        <source>参训项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>管理人员</source>
        <translation>Managers</translation>
    </message>
    <message>
        <source>作业人员</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>项目登记人数</source>
        <translation>Registered headcount</translation>
    </message>
    <message>
        <source>添加参训项目(&amp;A)</source>
        <translation>&amp;Add a project</translation>
    </message>
    <message>
        <source>移除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>管理 {m} 人 / 作业 {w} 人</source>
        <translation>{m} managers / {w} workers</translation>
    </message>
    <message>
        <source>登记培训</source>
        <translation>Record training</translation>
    </message>
    <message>
        <source>针对的隐患类别，如：高处坠落、基坑工程</source>
        <translation>Hazard categories targeted, e.g. falls from height, excavation</translation>
    </message>
    <message>
        <source>集中培训（计入每半年一次的集中培训）</source>
        <translation>Centralized (counts as the half-yearly centralized training)</translation>
    </message>
    <message>
        <source>培训日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>培训主题</source>
        <translation>Topic</translation>
    </message>
    <message>
        <source>针对类别</source>
        <translation>Targets</translation>
    </message>
    <message>
        <source>授课人</source>
        <translation>Trainer</translation>
    </message>
    <message>
        <source>学时（小时）</source>
        <translation>Hours</translation>
    </message>
    <message>
        <source>地点</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>参训人员</source>
        <translation>Attendance</translation>
    </message>
    <message>
        <source>删除培训记录：{topic}</source>
        <translation>Delete training: {topic}</translation>
    </message>
    <message>
        <source>删除原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>培训计划：{name}</source>
        <translation>Training plan: {name}</translation>
    </message>
    <message>
        <source>培训依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>每半年培训次数</source>
        <translation>Sessions per half-year</translation>
    </message>
    <message>
        <source>计划内容</source>
        <translation>Planned content</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>登记应急预案协助</source>
        <translation>Record emergency-plan help</translation>
    </message>
    <message>
        <source>如：生产安全事故综合应急预案</source>
        <translation>e.g. comprehensive emergency plan for production accidents</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>协助方式</source>
        <translation>Help given</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>应急预案名称</source>
        <translation>Emergency plan</translation>
    </message>
    <message>
        <source>主要建议</source>
        <translation>Main suggestions</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>修改培训记录：{topic}</source>
        <translation>Edit training record: {topic}</translation>
    </message>
    <message>
        <source>每行一条建议，可在句末注明依据，如：补充塔吊倒塌处置程序（依据：《生产安全事故应急预案管理办法》）</source>
        <translation>One suggestion per line; its basis may follow in brackets, e.g. Add the tower-crane collapse procedure (basis: Measures for the Administration of Emergency Plans)</translation>
    </message>
    <message>
        <source>登记应急演练</source>
        <translation>Record a drill</translation>
    </message>
    <message>
        <source>如：高处坠落、基坑坍塌、火灾</source>
        <translation>e.g. fall from height, excavation collapse, fire</translation>
    </message>
    <message>
        <source>演练日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>演练科目</source>
        <translation>Scenario</translation>
    </message>
    <message>
        <source>参演人数</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>组织单位/负责人</source>
        <translation>Organiser</translation>
    </message>
    <message>
        <source>演练过程记录</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>演练评估：{scenario}</source>
        <translation>Drill evaluation: {scenario}</translation>
    </message>
    <message>
        <source>{project}&#x3000;{date}&#x3000;参演 {n} 人</source>
        <translation>{project}, {date}, {n} participants</translation>
    </message>
    <message>
        <source>演练</source>
        <translation>Drill</translation>
    </message>
    <message>
        <source>（未记录演练过程）</source>
        <translation>(not recorded)</translation>
    </message>
    <message>
        <source>过程记录</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>请选择</source>
        <translation>Please choose</translation>
    </message>
    <message>
        <source>成效评估</source>
        <translation>Evaluation</translation>
    </message>
    <message>
        <source>发现的问题</source>
        <translation>Problems found</translation>
    </message>
    <message>
        <source>改进措施</source>
        <translation>Improvements</translation>
    </message>
    <message>
        <source>评价等级</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>已生成“{title}”草稿，可在文书页签发。是否现在打开查看？</source>
        <translation>The draft of &quot;{title}&quot; is ready and can be signed on the documents page. Open it now?</translation>
    </message>
    <message>
        <source>文书草稿</source>
        <translation>Document draft</translation>
    </message>
    <message>
        <source>正在生成文书草稿…</source>
        <translation>Generating the draft…</translation>
    </message>
    <message>
        <source>选择签到表</source>
        <translation>Choose the sign-in sheet</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbooks (*.xlsx)</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>添加人员</source>
        <translation>Add person</translation>
    </message>
    <message>
        <source>移除所选</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <source>从签到表导入…</source>
        <translation>Import from sign-in sheet…</translation>
    </message>
    <message>
        <source>新增人员所属项目</source>
        <translation>New people belong to</translation>
    </message>
    <message>
        <source>签到表未注明类别时按</source>
        <translation>Group when the sheet gives none</translation>
    </message>
    <message>
        <source>有名单的项目，参训人数按名单计；同一人以身份证号认定，无身份证号时按姓名加电话，再无电话时按姓名。</source>
        <translation>A project with a roster attended with the people on it; a person is known by ID number, else by name and phone, else by name.</translation>
    </message>
    <message>
        <source>名单：管理人员 {m} 人，作业人员 {w} 人</source>
        <translation>Roster: {m} managers, {w} workers</translation>
    </message>
    <message>
        <source>从签到表导入</source>
        <translation>Import from sign-in sheet</translation>
    </message>
    <message>
        <source>请先选择人员所属项目</source>
        <translation>Choose the project the people belong to first</translation>
    </message>
    <message>
        <source>已从签到表读入 {n} 人，保存培训记录后生效。</source>
        <translation>{n} people read from the sign-in sheet; they are kept when the training record is saved.</translation>
    </message>
    <message>
        <source>讲授的内容和要点，如：安全带“高挂低用”、临边洞口防护</source>
        <translation>What was taught, e.g. harness anchored high, edge and opening protection</translation>
    </message>
    <message>
        <source>培训内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <source>培训材料</source>
        <translation>Materials</translation>
    </message>
    <message>
        <source>签到名单</source>
        <translation>Sign-in roster</translation>
    </message>
</context>
<context>
    <name>TrainingPage</name>
    <message>
        <source>达标</source>
        <translation>Met</translation>
    </message>
    <message>
        <source>未达标</source>
        <translation>Not met</translation>
    </message>
    <message>
        <source>已评估</source>
        <translation>Evaluated</translation>
    </message>
    <message>
        <source>待评估</source>
        <translation>To evaluate</translation>
    </message>
    <message>
        <source>全部项目</source>
        <translation>All projects</translation>
    </message>
    <message>
        <source>全部期间</source>
        <translation>All dates</translation>
    </message>
    <message>
        <source>搜索培训主题、授课人、地点或类别</source>
        <translation>Search topic, trainer, location or target</translation>
    </message>
    <message>
        <source>仅集中培训</source>
        <translation>Centralized only</translation>
    </message>
    <message>
        <source>登记培训(&amp;N)…</source>
        <translation>&amp;New training…</translation>
    </message>
    <message>
        <source>培训记录</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>编辑(&amp;E)…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>删除(&amp;D)…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>打印培训记录(&amp;P)</source>
        <translation>&amp;Print record</translation>
    </message>
    <message>
        <source>半年度培训情况</source>
        <translation>Half-year status</translation>
    </message>
    <message>
        <source>培训计划(&amp;L)…</source>
        <translation>Training p&amp;lan…</translation>
    </message>
    <message>
        <source>应急预案协助</source>
        <translation>Emergency-plan help</translation>
    </message>
    <message>
        <source>登记协助(&amp;H)…</source>
        <translation>Record &amp;help…</translation>
    </message>
    <message>
        <source>打印编制建议书(&amp;G)</source>
        <translation>Print plan suggestions (&amp;G)</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Drills</translation>
    </message>
    <message>
        <source>登记演练(&amp;R)…</source>
        <translation>&amp;Record drill…</translation>
    </message>
    <message>
        <source>演练评估(&amp;V)…</source>
        <translation>E&amp;valuate…</translation>
    </message>
    <message>
        <source>打印演练记录(&amp;T)</source>
        <translation>Print drill record (&amp;T)</translation>
    </message>
    <message>
        <source>项目(&amp;J)</source>
        <translation>Pro&amp;ject</translation>
    </message>
    <message>
        <source>期间(&amp;Q)</source>
        <translation>Period (&amp;Q)</translation>
    </message>
    <message>
        <source>共 {n} 次培训</source>
        <translation>{n} sessions</translation>
    </message>
    <message>
        <source>共 {n} 个项目</source>
        <translation>{n} projects</translation>
    </message>
    <message>
        <source>共 {n} 条协助记录</source>
        <translation>{n} records of help</translation>
    </message>
    <message>
        <source>共 {n} 次演练，{k} 次待评估</source>
        <translation>{n} drills, {k} to evaluate</translation>
    </message>
    <message>
        <source>{half}：{n} 个在服务项目，{short} 个未全部达标（频次、全覆盖、针对性）。覆盖按人计，同一人只计一次：有身份证号按身份证号，否则按姓名加电话，再否则按姓名。</source>
        <translation>{half}: {n} projects in service, {short} short of frequency, coverage or targeting. Coverage counts people, each once: by ID number, else by name and phone, else by name.</translation>
    </message>
</context>
<context>
    <name>TrustPanel</name>
    <message>
        <source>核验评审资料包时，只有签名公钥在此名单中（或是本机构自己的密钥）才算“签名者已核实”。请从机构的公钥登记函所附的公钥文件添加，并核对指纹与登记函上的一致。</source>
        <translation>When a review package is verified, its signer counts as verified only if the signing key is on this list (or is this agency&apos;s own key). Add the key file enclosed with the agency&apos;s key letter and check that the fingerprint matches the letter.</translation>
    </message>
    <message>
        <source>机构名称</source>
        <translation>Agency name</translation>
    </message>
    <message>
        <source>公钥指纹</source>
        <translation>Key fingerprint</translation>
    </message>
    <message>
        <source>添加时间</source>
        <translation>Added</translation>
    </message>
    <message>
        <source>机构名称（与登记函一致）</source>
        <translation>Agency name (as on the key letter)</translation>
    </message>
    <message>
        <source>从 .pem 文件添加…</source>
        <translation>Add from a .pem file…</translation>
    </message>
    <message>
        <source>移除所选</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <source>本机构当前的签名公钥指纹：{fingerprint}</source>
        <translation>This agency&apos;s current signing key fingerprint: {fingerprint}</translation>
    </message>
    <message>
        <source>请先填写该公钥所属机构的名称。</source>
        <translation>Enter the name of the agency this key belongs to first.</translation>
    </message>
    <message>
        <source>选择机构的公钥文件</source>
        <translation>Choose the agency&apos;s public key file</translation>
    </message>
    <message>
        <source>已添加受信任公钥</source>
        <translation>Trusted key added</translation>
    </message>
    <message>
        <source>{name}
公钥指纹：{fingerprint}

请确认该指纹与公钥登记函上的一致。</source>
        <translation>{name}
Key fingerprint: {fingerprint}

Check that this fingerprint matches the key letter.</translation>
    </message>
    <message>
        <source>从受信任名单中移除“{name}”（{fingerprint}）？
移除后，该公钥签名的资料包将显示为签名者未经核实。</source>
        <translation>Remove “{name}” ({fingerprint}) from the trust list?
Packages signed with this key will then show the signer as not verified.</translation>
    </message>
    <message>
        <source>移除受信任公钥</source>
        <translation>Remove trusted key</translation>
    </message>
</context>
<context>
    <name>UserDialogs</name>
    <message>
        <source>密码至少 10 位，须同时包含字母和数字（或符号），不能是常用密码，也不能是姓名、用户名加数字这类容易猜到的组合。</source>
        <translation>At least 10 characters with letters and digits (or symbols); not a common password, nor a name or user name with digits.</translation>
    </message>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords do not match</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>原密码</source>
        <translation>Current password</translation>
    </message>
    <message>
        <source>新密码</source>
        <translation>New password</translation>
    </message>
    <message>
        <source>确认新密码</source>
        <translation>Confirm new password</translation>
    </message>
    <message>
        <source>新建用户</source>
        <translation>New user</translation>
    </message>
    <message>
        <source>专职人员</source>
        <translation>Full-time staff</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>职务/职称</source>
        <translation>Position/title</translation>
    </message>
    <message>
        <source>初始密码</source>
        <translation>Initial password</translation>
    </message>
    <message>
        <source>确认密码</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>修改角色和状态：{name}</source>
        <translation>Role and status: {name}</translation>
    </message>
    <message>
        <source>账户可用（取消勾选即停用，不能登录）</source>
        <translation>Account active (untick to disable sign-in)</translation>
    </message>
    <message>
        <source>重置密码：{name}</source>
        <translation>Reset password: {name}</translation>
    </message>
    <message>
        <source>该用户下次登录后应立即修改密码；账户锁定同时解除。</source>
        <translation>The user should change this password right after signing in; a lockout is lifted too.</translation>
    </message>
</context>
<context>
    <name>UsersPanel</name>
    <message>
        <source>用户管理</source>
        <translation>Users</translation>
    </message>
    <message>
        <source>新建用户…</source>
        <translation>New user…</translation>
    </message>
    <message>
        <source>修改角色/停用…</source>
        <translation>Role / disable…</translation>
    </message>
    <message>
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
    <message>
        <source>设置签名图片…</source>
        <translation>Set signature image…</translation>
    </message>
    <message>
        <source>选择“{name}”的签名图片</source>
        <translation>Choose the signature image of “{name}”</translation>
    </message>
</context>
<context>
    <name>WordingPanel</name>
    <message>
        <source>每类文书中固定的语句可改为本机构的用语。花括号中的占位符（列在下方）在生成文书时按记录中的事实填写；文书中的事实只来自记录。修改只用于此后生成的文书，已签发的文书不变；每次修改都记入审计日志。</source>
        <translation>The fixed sentences of each kind of document can be worded the agency&apos;s own way. Placeholders in braces (listed below) are filled from the records when a document is generated; the facts in a document come only from the records. A change applies to documents generated afterwards; signed documents stay as they are. Every change is recorded in the audit log.</translation>
    </message>
    <message>
        <source>保存用语</source>
        <translation>Save wording</translation>
    </message>
    <message>
        <source>恢复默认</source>
        <translation>Restore default</translation>
    </message>
    <message>
        <source>文书及语句</source>
        <translation>Document and sentence</translation>
    </message>
    <message>
        <source>用语</source>
        <translation>Wording</translation>
    </message>
    <message>
        <source>可用占位符</source>
        <translation>Placeholders</translation>
    </message>
    <message>
        <source>预览</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>本机构用语</source>
        <translation>The agency&apos;s wording</translation>
    </message>
    <message>
        <source>默认用语</source>
        <translation>Default wording</translation>
    </message>
    <message>
        <source>（此段不含占位符）</source>
        <translation>(no placeholders in this sentence)</translation>
    </message>
    <message>
        <source>将此段用语恢复为默认？此后生成的文书使用默认用语。</source>
        <translation>Restore the default wording of this sentence? Documents generated afterwards use the default.</translation>
    </message>
</context>
</TS>
